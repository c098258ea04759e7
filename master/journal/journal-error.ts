import { UserError } from '../../common/index.js';

/**
 * The journal cannot be used as it is (truncated, corrupted, of a newer format): the
 * master stops at start, its one-line message naming the file and what to do, rather
 * than start empty and forget every job.
 */
export class JournalError extends UserError {
  constructor(
    readonly file: string,
    problem: string,
    remedy: string,
  ) {
    super(`journal ${file} ${problem}; ${remedy}`);
  }
}
