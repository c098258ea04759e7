import { GrooveError } from '../../common/index.js';
import type { TaskHookName } from '../../common/index.js';

/**
 * An exception thrown by the job's own code (or by a value it emitted that Groove cannot
 * encode). It is the user's to fix, so it is reported with their message and stack and
 * where it happened, never as an internal failure. What the job threw is the `cause`, and
 * its stack is this error's: the user's code is where it went wrong, not Groove's catch.
 */
export class UserCodeError extends GrooveError {
  constructor(
    readonly phase: 'map' | 'combine' | 'reduce' | 'partition' | TaskHookName,
    cause: unknown,
    readonly where: string,
  ) {
    const inner = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`${phase} threw on ${where}: ${inner}`, { cause });
    if (cause instanceof Error && cause.stack) this.stack = cause.stack;
  }
}
