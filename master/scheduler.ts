import type { Job, Task } from './job.js';

/** A worker's capacity as the scheduler sees it. */
export interface SlotView {
  readonly id: string;
  readonly free: number;
}

/** One decision: run an attempt of `task` of `job` on worker `workerId`. */
export interface Placement {
  readonly job: Job;
  readonly task: Task;
  readonly workerId: string;
  /** A backup attempt for a straggler. */
  readonly speculative: boolean;
}

/** Knobs of the scheduling policy. */
export interface SchedulingPolicy {
  /** ms since epoch. */
  readonly now: number;
  /** Failed attempts after which a worker gets no more tasks of a job. */
  readonly blacklistAfter: number;
  /** A task is a straggler once it ran this many times the median duration of its finished peers... */
  readonly speculationFactor: number;
  /** ...and at least this long, ms. */
  readonly speculationMinMs: number;
}

/** The tasks of a job that may start now: its pending maps, then its pending reduces once every map succeeded. */
export function runnableTasks(job: Job, now: number): Task[] {
  if (job.finished) return [];
  const ready = (t: Task): boolean => t.state === 'pending' && t.notBefore <= now;
  if (job.mapsDone < job.maps.length) return job.maps.filter(ready);
  return job.reduces.filter(ready);
}

/** The earliest time a task now held back by retry backoff may start, or undefined. */
export function nextRetryTime(jobs: readonly Job[], now: number): number | undefined {
  let next: number | undefined;
  for (const job of jobs) {
    if (job.finished) continue;
    for (const t of job.tasks()) if (t.state === 'pending' && t.notBefore > now && (next === undefined || t.notBefore < next)) next = t.notBefore;
  }
  return next;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : 0;
}

/** Running tasks of a job slow enough, next to their finished peers, to deserve a backup attempt. */
export function stragglers(job: Job, policy: SchedulingPolicy): Task[] {
  if (!job.spec.speculation || job.finished) return [];
  const out: Task[] = [];
  for (const list of [job.maps, job.reduces]) {
    const durations = list.filter((t) => t.state === 'succeeded' && t.duration !== undefined).map((t) => t.duration as number);
    // Too few finished peers say nothing about what "slow" is.
    if (durations.length < Math.max(1, Math.ceil(list.length / 4))) continue;
    const threshold = Math.max(policy.speculationMinMs, policy.speculationFactor * median(durations));
    for (const t of list) {
      if (t.state !== 'running' || t.speculated || t.running.size !== 1) continue;
      const [attempt] = t.running.values();
      if (attempt && policy.now - attempt.startedAt > threshold) out.push(t);
    }
  }
  return out;
}

/**
 * Decides which tasks go to which free slots. `workers` lists every worker that may take
 * tasks, busy ones included (with free = 0), so that preferences can wait for them. Jobs are served first come, first served;
 * slots are filled round-robin over workers so a job spreads across the cluster. A retry
 * prefers a worker where the task has not failed (waiting for one if all such workers are
 * busy); a worker with `blacklistAfter` failed
 * attempts of a job gets none of its tasks (unless every worker is in that state, when
 * the attempt limit decides). Slots left over go to backup attempts for stragglers, always
 * on another worker than the running attempt.
 */
export function placeTasks(jobs: readonly Job[], workers: readonly SlotView[], policy: SchedulingPolicy): Placement[] {
  const free = new Map(workers.map((w) => [w.id, w.free]));
  const order = workers.map((w) => w.id);
  const placements: Placement[] = [];
  let cursor = 0;
  const pick = (allowed: (id: string) => boolean): string | undefined => {
    for (let i = 0; i < order.length; i++) {
      const id = order[(cursor + i) % order.length] as string;
      if ((free.get(id) ?? 0) > 0 && allowed(id)) {
        cursor = (cursor + i + 1) % order.length;
        free.set(id, (free.get(id) ?? 0) - 1);
        return id;
      }
    }
    return undefined;
  };
  const anyFree = (): boolean => [...free.values()].some((n) => n > 0);

  for (const job of jobs) {
    const usable = (id: string): boolean => (job.workerFailures.get(id) ?? 0) < policy.blacklistAfter;
    const allBlacklisted = !order.some(usable);
    const eligible = (id: string): boolean => allBlacklisted || usable(id);
    for (const task of runnableTasks(job, policy.now)) {
      if (!anyFree()) return placements;
      // A retry waits for a worker it has not failed on, as long as one exists (even if busy now).
      const fresh = (id: string): boolean => eligible(id) && !task.failedOn.has(id);
      const workerId = order.some(fresh) ? pick(fresh) : pick(eligible);
      if (workerId !== undefined) placements.push({ job, task, workerId, speculative: false });
    }
  }
  for (const job of jobs) {
    for (const task of stragglers(job, policy)) {
      if (!anyFree()) return placements;
      const [first] = task.running.values();
      const workerId = pick((id) => id !== first?.workerId && (job.workerFailures.get(id) ?? 0) < policy.blacklistAfter);
      if (workerId !== undefined) placements.push({ job, task, workerId, speculative: true });
    }
  }
  return placements;
}
