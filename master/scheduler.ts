import type { Job, Task } from './job.js';

/** A worker's capacity as the scheduler sees it. */
export interface SlotView {
  readonly id: string;
  readonly free: number;
}

/** One decision: run `task` of `job` on worker `workerId`. */
export interface Placement {
  readonly job: Job;
  readonly task: Task;
  readonly workerId: string;
}

/** The tasks of a job that may start now: its pending maps, then its pending reduces once every map succeeded. */
export function runnableTasks(job: Job): Task[] {
  if (job.finished) return [];
  const maps = job.maps.filter((t) => t.state === 'pending');
  if (maps.length || job.mapsDone < job.maps.length) return maps;
  return job.reduces.filter((t) => t.state === 'pending');
}

/**
 * Decides which pending tasks go to which free slots. Jobs are served first come, first
 * served; slots are filled round-robin over workers, so a job's tasks spread across the
 * cluster rather than piling onto the first worker.
 */
export function placeTasks(jobs: readonly Job[], workers: readonly SlotView[]): Placement[] {
  const free = new Map(workers.map((w) => [w.id, w.free]));
  const order = workers.map((w) => w.id);
  const placements: Placement[] = [];
  let cursor = 0;
  const nextWorker = (): string | undefined => {
    for (let i = 0; i < order.length; i++) {
      const id = order[(cursor + i) % order.length] as string;
      if ((free.get(id) ?? 0) > 0) {
        cursor = (cursor + i + 1) % order.length;
        return id;
      }
    }
    return undefined;
  };
  for (const job of jobs) {
    for (const task of runnableTasks(job)) {
      const workerId = nextWorker();
      if (workerId === undefined) return placements;
      free.set(workerId, (free.get(workerId) ?? 0) - 1);
      placements.push({ job, task, workerId });
    }
  }
  return placements;
}
