import type { Job } from './job.js';
import type { Task } from './task.js';

/**
 * Whether every result task has its committed part file: every reduce, or for a map-only
 * job (docs/map-only.md), which has no reduces, every map.
 */
export function resultsCommitted(job: Job): boolean {
  return job.mapOnly ? job.mapsDone === job.maps.length : job.reducesDone === job.reduces.length;
}

/** The task whose part file is result `i` (part-NNNNN): reduce i, or a map-only job's map i. */
export function resultTask(job: Job, i: number): Task {
  return job.mapOnly ? job.map(i) : job.reduce(i);
}

/** The committed attempt of a task with an output (a map output, or a part file). */
export function outputAttempt(job: Job, task: Task): number {
  return (task.kind === job.resultKind ? job.partFiles : job.mapOutputs).attempt(task.index);
}
