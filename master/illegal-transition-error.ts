import { GrooveError } from '../common/index.js';

/** What moved: a job, one of its tasks, or a worker. */
export type TransitionSubject = 'job' | 'task' | 'worker';

/**
 * A job, task or worker was asked to move to a state its lifecycle does not allow from
 * where it is. It is a bug in the master, never the user's doing: the message names the
 * thing, its id and both states so the debug log says what went wrong.
 */
export class IllegalTransitionError extends GrooveError {
  constructor(
    readonly subject: TransitionSubject,
    /** The job id, `job/task` for a task, or the worker id. */
    readonly id: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`illegal ${subject} transition ${from} -> ${to} (${subject} ${id})`);
  }
}
