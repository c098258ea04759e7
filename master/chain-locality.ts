import type { Job } from './job.js';
import type { Task } from './task.js';

/**
 * Groove's counter of map tasks whose committed attempt ran on the worker holding their
 * input (1 each): a counter, so that a task run again after its output was lost counts once.
 */
export const LOCAL_MAP_COUNTER = 'groove.map.local';

/**
 * A map task of a chained job (or a later stage of a staged job) that still needs an
 * earlier job's (stage's) part file held by a worker that is gone, and the one-line error
 * to fail the job with; undefined when none does. A map whose output is committed no longer needs its input (unless that output is
 * lost too, when it is pending again and counted here).
 */
export function lostResultInput(job: Job, workerId: string): { task: Task; error: string } | undefined {
  if (job.mapsWithLocality === 0) return undefined;
  for (const kind of ['pending', 'running'] as const) {
    const tasks = kind === 'pending' ? job.pendingTasks('map') : job.runningTasks();
    for (const task of tasks) {
      const result = task.kind === 'map' ? task.split?.pieces[0]?.result : undefined;
      if (result?.workerId !== workerId) continue;
      const stage = job.spec.stage;
      const error = stage
        ? `stage ${stage.index}'s output partition ${result.partition} was lost with worker ${workerId} during ` +
          `stage ${stage.index + 1}; a lost stage output is not computed again: run the job again`
        : `input mr://${result.jobId}/${result.partition}: its part file was lost with worker ${workerId}; ` +
          `job ${result.jobId} is not re-run for a later job: run it again`;
      return { task, error };
    }
  }
  return undefined;
}
