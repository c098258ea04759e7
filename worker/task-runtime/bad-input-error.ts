import { GrooveError } from '../../common/index.js';

/**
 * The input itself is wrong: a record its reader cannot parse, compressed data that is
 * corrupt or not what its name says, a file that is not text. The same bytes fail the
 * same way on any worker and any attempt, so the job fails at once instead of retrying,
 * with this one-line message naming the input.
 */
export class BadInputError extends GrooveError {
  /** The job may not retry: the input itself is the problem. */
  readonly permanent = true;

  constructor(
    readonly input: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
