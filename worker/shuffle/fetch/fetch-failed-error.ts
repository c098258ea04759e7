import { GrooveError } from '../../../common/index.js';

/**
 * A reducer could not fetch some map outputs (their worker is gone or unreachable, or
 * the output was deleted). Not the reducer's fault: the master re-runs those map tasks
 * and the reduce again, without counting a failed attempt.
 */
export class FetchFailedError extends GrooveError {
  constructor(
    readonly mapTaskIds: readonly string[],
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`could not fetch the output of ${mapTaskIds.join(', ')} (${detail})`, options);
  }
}
