/**
 * Why a task attempt failed, as a small fixed set: the `reason` label of the failure
 * metrics (a label of free text would make a time series per error message). Workers send
 * one with every failed attempt (TaskUpdate.failure_reason); the master adds the one it
 * alone sees (`lost_worker`).
 *
 * - `user_error`: the job's own code threw, or its input is not what it reads (not text);
 * - `timeout`: no progress for the task timeout, so its pool process was killed;
 * - `out_of_memory`: its pool process ran out of heap (--task-memory-mb);
 * - `crash`: its pool process died otherwise (a signal, process.exit);
 * - `fetch_failure`: a reduce could not fetch some map outputs (the maps run again);
 * - `lost_worker`: its worker was lost while it ran (seen by the master only);
 * - `cancelled`: stopped on purpose (another attempt won, the job was killed);
 * - `shutdown`: its worker stopped before it could run or finish;
 * - `internal`: anything else (a pack that did not arrive, the worker's own disk).
 */
export const ATTEMPT_FAILURE_REASONS = [
  'user_error',
  'timeout',
  'out_of_memory',
  'crash',
  'fetch_failure',
  'lost_worker',
  'cancelled',
  'shutdown',
  'internal',
] as const;

/** One of {@link ATTEMPT_FAILURE_REASONS}. */
export type AttemptFailureReason = (typeof ATTEMPT_FAILURE_REASONS)[number];

const KNOWN: ReadonlySet<string> = new Set(ATTEMPT_FAILURE_REASONS);

/**
 * A reason as received (from a worker of any version): one of the set, or `internal` for
 * anything else, so a label never takes a value outside the set.
 */
export function toAttemptFailureReason(reason: string): AttemptFailureReason {
  return KNOWN.has(reason) ? (reason as AttemptFailureReason) : 'internal';
}
