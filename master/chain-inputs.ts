import { UserError } from '../common/index.js';
import { parseResultUri, partFileName, resultUri } from '../proto/formats/index.js';
import { isValidId } from '../proto/formats/index.js';
import type { MapInput } from '../proto/wire/generated/groove/MapInput';
import type { InputFile, InputSplit } from './input-splitter.js';
import type { Job } from './job.js';
import { resultTask } from './job-results.js';

/** What resolving `mr://` inputs needs to know of the master's state. */
export interface ChainLookup {
  /** The job of this id, if the master holds it. */
  job(jobId: string): Job | undefined;
  /** The state of a worker, if the master knows it. */
  workerState(workerId: string): 'alive' | 'draining' | 'expected' | 'lost' | undefined;
}

/**
 * Turns `mr://JOB` (every partition) or `mr://JOB/PARTITION` into input files: one per
 * partition, its part file on the worker that wrote it, sized by that file, which its map
 * task reads whole and prefers to run on (see the scheduler's locality). Only a job that
 * succeeded has results; one whose part file was on a worker that is gone is read from the
 * job's committed output when it has one (`--output URL --format jsonl`), else refused by
 * job and partition, since the earlier job is never re-run for a later one.
 * @throws UserError with a one-line message naming the input.
 */
export function resolveResultInput(input: string, lookup: ChainLookup): InputFile[] {
  const uri = parseResultUri(input);
  const job = lookup.job(uri.jobId);
  if (!job) throw new UserError(`input ${input}: no such job ${uri.jobId} (mr jobs lists the jobs the master holds)`);
  if (job.state === 'running')
    throw new UserError(`input ${input}: job ${job.id} is still running; wait until it succeeded (mr wait ${job.id})`);
  if (job.state !== 'succeeded') {
    const why = job.error ? `: ${job.error.split('\n')[0]?.slice(0, 300)}` : '';
    throw new UserError(`input ${input}: job ${job.id} ${job.state}${why}, so it has no results to read`);
  }
  // A map-only job's results are its maps' part files, one per map.
  const R = job.partFiles.length;
  if (uri.partition !== undefined && uri.partition >= R)
    throw new UserError(`input ${input}: job ${job.id} has ${R} partitions (0 to ${R - 1}), not ${uri.partition}`);
  if (uri.partition !== undefined) return [partInput(job, uri.partition, lookup)];
  return resultInputsOf(job, lookup);
}

/**
 * Every partition of a job's results as inputs, one file each (see resolveResultInput),
 * whatever the job's state: a staged job's next stage reads its stage before this way.
 * @throws UserError naming a partition whose part file is gone.
 */
export function resultInputsOf(job: Job, lookup: Pick<ChainLookup, 'workerState'>): InputFile[] {
  return Array.from({ length: job.partFiles.length }, (_, partition) => partInput(job, partition, lookup));
}

/** The resolver of `mr://` inputs over the master's jobs and workers, for resolveInputs. */
export function resultResolver(
  jobs: Pick<ReadonlyMap<string, Job>, 'get'>,
  workers: { get(id: string): { readonly state: 'alive' | 'draining' | 'expected' | 'lost' } | undefined },
): (input: string) => InputFile[] {
  const lookup: ChainLookup = {
    job: (id) => (isValidId(id) ? jobs.get(id) : undefined),
    workerState: (id) => workers.get(id)?.state,
  };
  return (input) => resolveResultInput(input, lookup);
}

/**
 * A map assignment's input: the split, and for a part file where it is served now (its
 * worker may have come back on another address since its job committed it).
 */
export function mapInputOf(split: InputSplit, dataAddressOf: (workerId: string) => string): MapInput {
  return {
    pieces: split.pieces.map(({ path, start, length, result, jsonRecords }) =>
      result
        ? { path, start, length, result: { ...result, dataAddress: dataAddressOf(result.workerId), bytes: length } }
        : { path, start, length, ...(jsonRecords ? { jsonRecords: true } : {}) },
    ),
  };
}

function partInput(job: Job, partition: number, lookup: Pick<ChainLookup, 'workerState'>): InputFile {
  const name = resultUri(job.id, partition);
  const part = job.partFile(resultTask(job, partition));
  const state = part ? lookup.workerState(part.workerId) : undefined;
  // Gone from the workers but committed to a store: read the store's copy of the partition.
  if ((!part || state === undefined || state === 'lost') && job.spec.output) return storedPartInput(job, partition);
  // A succeeded job has every part file; a missing one is a bug, still said by name.
  if (!part) throw new UserError(`input ${name}: the master has no part file for partition ${partition}`);
  if (state === undefined || state === 'lost')
    throw new UserError(
      `input ${name}: its part file was on worker ${part.workerId}, which is gone; job ${job.id} is not re-run for a later job: run it again`,
    );
  return {
    path: name,
    size: part.bytes,
    // Read whole by one map task, never packed with others, where it is if that worker is free.
    splittable: false,
    location: part.workerId,
    result: { jobId: job.id, partition, workerId: part.workerId, path: part.path },
  };
}

/**
 * A partition of a job whose part file is gone from the workers, read from the job's
 * committed output instead: `PREFIX/part-NNNNN`, jsonl lines of `[key, value]`, which keep
 * the JSON types (text lines do not, so a job stored as text is refused). Its size is not
 * known without a request, so it is one split read to the end, run anywhere.
 */
function storedPartInput(job: Job, partition: number): InputFile {
  const output = job.spec.output as NonNullable<Job['spec']['output']>;
  const name = resultUri(job.id, partition);
  if (output.format !== 'jsonl')
    throw new UserError(
      `input ${name}: its part file is gone from the workers, and job ${job.id} stored its results in ${output.url} as ${output.format}, which keeps no types; chain over a job stored with --format jsonl`,
    );
  return { path: `${output.url}${partFileName(partition)}`, size: Infinity, splittable: false, jsonRecords: true };
}
