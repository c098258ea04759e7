/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** First delay, ms. Default 200. */
  readonly initialMs?: number;
  /** Largest delay, ms. Default 10000. */
  readonly maxMs?: number;
}

/**
 * The delay before retry number `attempt` (0-based): exponential, capped, with full
 * jitter so that many workers losing one master do not all come back at the same instant.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 200;
  const max = options.maxMs ?? 10_000;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
