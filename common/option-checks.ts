import { UserError } from './errors.js';

/** An integer option with its default, at least `min` (and at most `max`); the error names the option. */
export function intOption(name: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UserError(`${name} must be an integer ${range}, got ${String(v)}`);
  }
  return v;
}
