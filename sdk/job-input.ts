import { UserError } from '../common/index.js';
import { isValidId, resultUri } from '../proto/formats/index.js';

/**
 * An earlier job's results as an input of a chained job: every partition, or one. The
 * same as the input `mr://JOB` or `mr://JOB/PARTITION`; its map receives `[key, value]`
 * records (see ResultRecord).
 */
export interface ResultsOf {
  /** The earlier job's id, as `client.submit` returned it. */
  readonly job: string;
  /** One partition only; default: all of them. */
  readonly partition?: number;
}

/** One input of a submission: a path, directory, glob or URL (`mr://JOB` too), or an earlier job's results. */
export type JobInput = string | ResultsOf;

/**
 * The results of job `job` (all partitions, or one) as an input of a later job:
 * `client.submit('second.ts', { inputs: [resultsOf(firstId)] })`.
 */
export function resultsOf(job: string, partition?: number): ResultsOf {
  return partition === undefined ? { job } : { job, partition };
}

/**
 * The input as the master takes it: a string as it is, results as their `mr://` URI.
 * @throws UserError naming what is wrong with a malformed {@link ResultsOf}.
 */
export function inputName(input: JobInput): string {
  if (typeof input === 'string') return input;
  if (input === null || typeof input !== 'object' || !isValidId(input.job))
    throw new UserError(`inputs: a job's results need its id as { job: ID }, got ${JSON.stringify(input)}`);
  const { partition } = input;
  if (partition !== undefined && !(Number.isInteger(partition) && partition >= 0))
    throw new UserError(`inputs: partition of job ${input.job} must be a non-negative integer, got ${partition}`);
  return resultUri(input.job, partition);
}
