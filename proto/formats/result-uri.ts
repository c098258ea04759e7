import { UserError } from '../../common/index.js';
import { isValidId } from './ids.js';

/** The scheme of an earlier job's results as an input: `mr://JOB` or `mr://JOB/PARTITION`. */
export const RESULT_URI_SCHEME = 'mr';

/** What an `mr://` URI names: a job's results, all partitions or one. */
export interface ResultUri {
  readonly jobId: string;
  /** One partition; undefined for every partition of the job. */
  readonly partition?: number;
}

/** True when `input` is an `mr://` URI (well formed or not: {@link parseResultUri} says what is wrong). */
export function isResultUri(input: string): boolean {
  return /^mr:\/\//i.test(input);
}

/**
 * Parses `mr://JOB` or `mr://JOB/PARTITION` (a trailing slash is allowed after JOB).
 * @throws UserError naming the URI when the job id or partition is malformed.
 */
export function parseResultUri(input: string): ResultUri {
  if (!isResultUri(input)) throw new UserError(`${input.slice(0, 200)}: not an mr:// URI`);
  const rest = input.slice('mr://'.length).replace(/\/$/, '');
  const [jobId = '', partition, ...extra] = rest.split('/');
  if (!isValidId(jobId) || extra.length)
    throw new UserError(`input ${input.slice(0, 200)}: expected mr://JOB or mr://JOB/PARTITION with a job id`);
  if (partition === undefined) return { jobId };
  if (!/^\d{1,9}$/.test(partition))
    throw new UserError(
      `input ${input.slice(0, 200)}: the partition must be a number, got ${JSON.stringify(partition)}`,
    );
  return { jobId, partition: Number(partition) };
}

/** The `mr://` URI of a job's results, or of one partition of them. */
export function resultUri(jobId: string, partition?: number): string {
  return partition === undefined ? `mr://${jobId}` : `mr://${jobId}/${partition}`;
}
