import { UserError } from '../../common/index.js';

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** Parses a size such as `65536`, `64MiB`, `512k` or `1g` (binary units) into bytes. */
export function parseSize(option: string, text: string | number, min = 1): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(String(text));
  const factor = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new UserError(`${option} must be a size like 65536, 512KiB or 64MiB, got ${JSON.stringify(text)}`);
  const bytes = Math.round(Number(m[1]) * factor);
  if (bytes < min) throw new UserError(`${option} must be at least ${min} byte${min === 1 ? '' : 's'}, got ${bytes}`);
  return bytes;
}

/** Parses repeated `--param KEY=VALUE` options. */
export function parseParams(values: readonly string[] | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UserError(`--param must be KEY=VALUE, got ${JSON.stringify(v)}`);
    params[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return params;
}

/** Checks an optional positive integer option. */
export function positiveInt(option: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new UserError(`${option} must be a positive integer, got ${String(value)}`);
  return value;
}

/** Checks a positive number option (fractions allowed). */
export function positiveNumber(option: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new UserError(`${option} must be a positive number, got ${String(value)}`);
  return value;
}
