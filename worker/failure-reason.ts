import type { AttemptFailureReason } from '../common/index.js';
import type { TaskFailure } from './task-spec.js';

/**
 * Why an attempt failed, from what its failure says: the pool's own reason (a timeout, a
 * crash, a cancel) when it gave one, else the job's code, a fetch, or this worker.
 */
export function failureReasonOf(failure: TaskFailure): AttemptFailureReason {
  if (failure.reason) return failure.reason;
  if (failure.user) return 'user_error';
  return failure.lostMapTasks?.length ? 'fetch_failure' : 'internal';
}
