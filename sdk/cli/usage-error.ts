import { UserError } from '../../common/index.js';

/** Exit status of a usage error (a bad command line or option value), as getopt tools use. */
export const USAGE_EXIT_CODE = 2;

/** A mistake in the command line itself, as the parser finds it (unknown option, bad choice). */
export class UsageError extends UserError {}

/**
 * Whether an error is the command line's fault: the parser's, or a bad option value found
 * later by the code that checks it. The CLI checks every flag against its component's
 * option table before anything starts, and those errors name the flag first (`--partitions
 * must be an integer from 1 to 10000, got 'abc'`), so that is what tells them apart from
 * other user errors (a missing input, a failed job), which exit 1.
 */
export function isUsageError(err: unknown): boolean {
  return err instanceof UsageError || (err instanceof UserError && /^--[a-z]/.test(err.message));
}
