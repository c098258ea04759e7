import type { Job } from './job.js';
import type { Task } from './task.js';

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
  /**
   * How long a map task with a preferred worker (its input's holder) waits for a slot
   * there before it runs anywhere, ms (delay scheduling); 0: it never waits. Default 0.
   */
  readonly localityWaitMs?: number;
}

/** The phase a job is in: its maps until every map succeeded, then its reduces. */
function phase(job: Job): 'map' | 'reduce' {
  return job.mapsDone < job.maps.length ? 'map' : 'reduce';
}

/** The tasks of a job that may start now, lazily (a job may have a million pending tasks). */
function* runnable(job: Job, now: number): Generator<Task> {
  if (job.finished) return;
  for (const t of job.pendingTasks(phase(job))) if (t.notBefore <= now) yield t;
}

/** The tasks of a job that may start now: its pending maps, then its pending reduces once every map succeeded. */
export function runnableTasks(job: Job, now: number): Task[] {
  return [...runnable(job, now)];
}

/** The earliest time a task now held back by retry backoff may start, or undefined. Forgets tasks no longer held back. */
export function nextRetryTime(jobs: readonly Job[], now: number): number | undefined {
  let next: number | undefined;
  for (const job of jobs) {
    if (job.finished) continue;
    for (const t of job.heldBack()) {
      if (t.state !== 'pending' || t.notBefore <= now) job.releaseHeldBack(t);
      else if (next === undefined || t.notBefore < next) next = t.notBefore;
    }
  }
  return next;
}

/**
 * The earliest time after `now` a map task now waiting for its preferred worker may run
 * anywhere, or undefined when none waits: the master schedules again then, so a wait never
 * outlasts `waitMs` for want of an event. (A task whose wait is over and still has no slot
 * runs on the next slot that frees, like any other.)
 */
export function nextLocalityTime(jobs: readonly Job[], waitMs: number, now: number): number | undefined {
  let next: number | undefined;
  for (const job of jobs) {
    if (job.finished || job.mapsWithLocality === 0) continue;
    for (const since of job.localityWaitStarts()) {
      const until = since + waitMs;
      if (until > now && (next === undefined || until < next)) next = until;
    }
  }
  return next;
}

/** What the scheduler does with a task that has a preferred worker. */
type LocalityChoice = 'local' | 'wait' | 'anywhere';

/**
 * Delay scheduling (Zaharia et al., as Spark's spark.locality.wait): a task goes to its
 * preferred worker when that has a free slot; otherwise it waits, up to `localityWaitMs`
 * from when it was first passed over, and then takes any slot, so a busy holder never
 * leaves the rest of the cluster idle (Disco's issue 597). A preferred worker that is
 * gone, draining, blacklisted or where the task already failed is no reason to wait.
 */
function localityChoice(
  job: Job,
  task: Task,
  preferred: string,
  free: ReadonlyMap<string, number>,
  eligible: (id: string) => boolean,
  policy: SchedulingPolicy,
): LocalityChoice {
  const slots = free.get(preferred);
  if (slots === undefined || !eligible(preferred) || task.hasFailedOn(preferred)) return 'anywhere';
  if (slots > 0) return 'local';
  const waitMs = policy.localityWaitMs ?? 0;
  if (waitMs <= 0) return 'anywhere';
  return policy.now - job.localityWaitStart(task, policy.now) < waitMs ? 'wait' : 'anywhere';
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : 0;
}

/** Running tasks of a job slow enough, next to their finished peers, to deserve a backup attempt. */
export function stragglers(job: Job, policy: SchedulingPolicy): Task[] {
  if (!job.spec.speculation || job.finished || job.runningCount === 0) return [];
  const out: Task[] = [];
  const running = job.runningTasks();
  for (const kind of ['map', 'reduce'] as const) {
    const total = kind === 'map' ? job.maps.length : job.reduces.length;
    const done = kind === 'map' ? job.mapsDone : job.reducesDone;
    // A reduce backup needs every map output: while a lost one is computed again (after a
    // worker left) there is nothing to give it, and a reduce starts only in the reduce phase.
    if (kind === 'reduce' && phase(job) === 'map') continue;
    const durations = job.durations[kind];
    // Too few finished peers say nothing about what "slow" is.
    if (done < Math.max(1, Math.ceil(total / 4)) || durations.length === 0) continue;
    const threshold = Math.max(policy.speculationMinMs, policy.speculationFactor * median(durations));
    for (const t of running) {
      if (t.kind !== kind || t.speculated || t.runningCount !== 1) continue;
      const [attempt] = t.running.values();
      if (attempt && policy.now - attempt.startedAt > threshold) out.push(t);
    }
  }
  return out;
}

/**
 * Decides which tasks go to which free slots. `workers` lists every worker that may take
 * tasks, busy ones included (with free = 0), so that preferences can wait for them.
 * Jobs are served first come, first served; slots are filled round-robin over workers so
 * a job spreads across the cluster. A retry prefers a worker where the task has not
 * failed (waiting for one if all such workers are busy); a worker with `blacklistAfter`
 * failed attempts of a job gets none of its tasks (unless every worker is in that state,
 * when the attempt limit decides). Slots left over go to backup attempts for stragglers,
 * always on another worker than the running attempt. A map task whose input is held by
 * one worker (mr://) goes there, or waits briefly for it (see {@link localityChoice}).
 *
 * Cost: proportional to the workers and to the tasks placed, not to the tasks waiting
 * (except maps waiting for their preferred worker, which are looked at on every pass).
 */
export function placeTasks(jobs: readonly Job[], workers: readonly SlotView[], policy: SchedulingPolicy): Placement[] {
  const free = new Map<string, number>();
  const freeIds: string[] = [];
  let totalFree = 0;
  for (const w of workers) {
    free.set(w.id, w.free);
    if (w.free > 0) {
      freeIds.push(w.id);
      totalFree += w.free;
    }
  }
  const placements: Placement[] = [];
  let cursor = 0;
  const pick = (allowed: (id: string) => boolean): string | undefined => {
    for (let i = 0; i < freeIds.length; i++) {
      const at = (cursor + i) % freeIds.length;
      const id = freeIds[at] as string;
      if (!allowed(id)) continue;
      const left = (free.get(id) ?? 0) - 1;
      free.set(id, left);
      totalFree--;
      if (left <= 0) {
        freeIds.splice(at, 1);
        cursor = freeIds.length ? at % freeIds.length : 0;
      } else {
        cursor = (at + 1) % freeIds.length;
      }
      return id;
    }
    return undefined;
  };

  for (const job of jobs) {
    if (totalFree <= 0) return placements;
    const usable = (id: string): boolean => (job.workerFailures.get(id) ?? 0) < policy.blacklistAfter;
    // Only a job with failures pays for looking at every worker.
    const allBlacklisted = job.workerFailures.size > 0 && !workers.some((w) => usable(w.id));
    const eligible = (id: string): boolean => allBlacklisted || usable(id);
    for (const task of runnable(job, policy.now)) {
      if (totalFree <= 0) return placements;
      let workerId: string | undefined;
      const preferred = job.preferredWorker(task);
      const choice =
        preferred === undefined ? 'anywhere' : localityChoice(job, task, preferred, free, eligible, policy);
      if (choice === 'wait') continue;
      if (choice === 'local') {
        workerId = pick((id) => id === preferred);
      } else if (task.failedOnCount === 0) {
        workerId = pick(eligible);
      } else {
        // A retry waits for a worker it has not failed on, as long as one exists (even if busy now).
        const fresh = (id: string): boolean => eligible(id) && !task.hasFailedOn(id);
        workerId = workers.some((w) => fresh(w.id)) ? pick(fresh) : pick(eligible);
      }
      // No slot fits a task this job's blacklist allows: none fits any later task either
      // (a retry's choice is narrower still), so its other pending tasks need no look.
      if (workerId === undefined && !freeIds.some(eligible)) break;
      if (workerId !== undefined) placements.push({ job, task, workerId, speculative: false });
    }
  }
  for (const job of jobs) {
    for (const task of stragglers(job, policy)) {
      if (totalFree <= 0) return placements;
      const [first] = task.running.values();
      const workerId = pick(
        (id) => id !== first?.workerId && (job.workerFailures.get(id) ?? 0) < policy.blacklistAfter,
      );
      if (workerId !== undefined) placements.push({ job, task, workerId, speculative: true });
    }
  }
  return placements;
}
