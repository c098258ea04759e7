import { backoffDelay, errorMessage, oneLine, UserError } from '../common/index.js';

/** How long one store call may take and how often it is tried: every call of the output commit is bounded so. */
export interface StoreCallPolicy {
  /** Per try, ms. */
  readonly timeoutMs: number;
  /** Tries in all (1: no retry). */
  readonly tries: number;
  /** First delay between tries, ms (then doubled, with jitter). */
  readonly backoffMs: number;
}

/**
 * The master's default: two minutes a call (a server-side copy of a multi-gigabyte part
 * takes a while), three tries. A commit of P partitions thus ends, one way or the other,
 * within a bounded time: nothing waits on a store forever.
 */
export const DEFAULT_STORE_CALL_POLICY: StoreCallPolicy = { timeoutMs: 120_000, tries: 3, backoffMs: 500 };

/** A store call of the output commit that failed for good: the one line names the call and its URL. */
export class OutputStoreError extends UserError {}

/** Codes no retry can change: the object is not there, or this process may not touch it. */
const PERMANENT_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY']);

function isPermanent(err: unknown): boolean {
  if (err instanceof UserError) return true;
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && PERMANENT_CODES.has(code);
}

/** Rejects after `ms` unless `p` settles first. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs one store call with the policy's timeout and retries (transient failures only: a
 * missing object or a refusal is reported at once).
 * @throws OutputStoreError `output <what> <url>: <reason>`, one line.
 */
export async function storeCall<T>(
  what: string,
  url: string,
  call: () => Promise<T>,
  policy: StoreCallPolicy = DEFAULT_STORE_CALL_POLICY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTimeout(call(), policy.timeoutMs);
    } catch (err) {
      if (attempt >= policy.tries || isPermanent(err)) {
        const tries = attempt > 1 ? ` (${attempt} tries)` : '';
        throw new OutputStoreError(oneLine(`output ${what} ${url}: ${errorMessage(err)}${tries}`), { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt - 1, { initialMs: policy.backoffMs })));
    }
  }
}
