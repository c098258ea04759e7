import { UserError } from './errors.js';

/** Milliseconds per unit of a duration flag, by suffix. */
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** The largest duration accepted: 100 years, far past any retention, still a safe timer arithmetic value. */
const MAX_DURATION_MS = 100 * 365 * 86_400_000;

/**
 * Parses a duration flag as people write it (`7d`, `12h`, `30m`, `90s`, `500ms`; a whole
 * number and one unit) into milliseconds, at least `minMs`. A bad value is a one-line
 * {@link UserError} naming the flag (which the CLI reports as a usage error).
 */
export function parseDuration(flag: string, text: string, minMs = 0): number {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/i.exec(text);
  const unit = m ? DURATION_UNITS[(m[2] as string).toLowerCase()] : undefined;
  const ms = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!Number.isSafeInteger(ms) || ms < minMs || ms > MAX_DURATION_MS)
    throw new UserError(
      `--${flag} must be a duration${minMs > 0 ? ` of at least ${durationText(minMs)}` : ''} such as 7d, 12h, 30m or 90s, got '${text}'`,
    );
  return ms;
}

/** A duration in the largest unit that divides it: 604800000 -> "7d", 1500 -> "1500ms". */
export function durationText(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
