import { mapTaskId, reduceTaskId } from '../proto/index.js';
import { Job, newTask } from './job.js';
import type { JobSpec, Task } from './job.js';
import { splitInputs } from './input-splitter.js';
import type { InputFile } from './input-splitter.js';

/**
 * Plans a job: one map task per input split and one reduce task per partition, all
 * pending. Reduces wait until every map has succeeded (see the scheduler).
 */
export function planJob(spec: JobSpec, files: readonly InputFile[], chunkSize: number): Job {
  const maps: Task[] = splitInputs(files, chunkSize).map((split, index) => newTask('map', mapTaskId(index), index, split));
  const reduces: Task[] = [];
  for (let p = 0; p < spec.partitions; p++) reduces.push(newTask('reduce', reduceTaskId(p), p));
  return new Job(spec, maps, reduces);
}
