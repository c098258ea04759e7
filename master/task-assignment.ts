import type { MasterMessage } from '../proto/wire/generated/groove/MasterMessage';
import { encodeReduceAssignment } from '../proto/wire/index.js';
import type { EncodedMasterMessage } from '../proto/wire/index.js';
import { mapInputOf } from './chain-inputs.js';
import type { Job } from './job.js';
import type { JobOutputs } from './output-jobs.js';
import { outputColumns } from './reduce-input-columns.js';
import type { Task } from './task.js';

/**
 * The message that starts attempt `attempt` of a task on a worker: what every task gets
 * (job, pack, partitions, params, stage), a map's input split, and a result task's (a
 * reduce's, or a map-only job's map's) part-file output, and a reduce's input: where each
 * map output of its partition lies (encodeReduceAssignment).
 * `dataAddressOf` gives a worker's data address, for map inputs held by workers (mr://).
 */
export function taskAssignment(
  job: Job,
  task: Task,
  attempt: number,
  dataAddressOf: (workerId: string) => string,
  outputs: JobOutputs,
): MasterMessage | EncodedMasterMessage {
  const base = {
    jobId: job.id,
    taskId: task.id,
    attempt,
    packHash: job.spec.packHash,
    partitions: job.spec.partitions,
    params: job.spec.params,
    sortBufferBytes: job.spec.sortBufferBytes,
    stage: job.spec.stage?.index ?? 0,
  };
  if (task.kind === 'map') {
    const s = task.split;
    const mapInput = s ? mapInputOf(s, dataAddressOf) : null;
    // A map-only job's map writes a part file of the results, where a reduce would.
    if (job.mapOnly)
      return { assign: { ...base, kind: 'MAP', mapInput, mapOnly: true, ...outputs.assignment(job, task, attempt) } };
    return { assign: { ...base, kind: 'MAP', mapInput } };
  }
  return encodeReduceAssignment(
    { ...base, kind: 'REDUCE', partition: task.index, ...outputs.assignment(job, task, attempt) },
    outputColumns(job, task.index),
  );
}
