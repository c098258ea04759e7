import { Job } from './job.js';
import type { JobSpec } from './job.js';
import { SplitPlan } from './input-splitter.js';
import type { InputFile } from './input-splitter.js';

/**
 * Plans a job: one map task per input split and one reduce task per partition, all
 * pending. Reduces wait until every map has succeeded (see the scheduler).
 */
export function planJob(spec: JobSpec, files: readonly InputFile[], chunkSize: number): Job {
  return new Job(spec, new SplitPlan(files, chunkSize));
}
