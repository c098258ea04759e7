import type { JobEventRecord } from '../job-event.js';
import type { Job } from '../job.js';
import type { Task } from '../task.js';

/** How an attempt ended, or `running`. */
export type AttemptOutcome = 'running' | 'succeeded' | 'failed' | 'fetch-failed' | 'lost' | 'cancelled';

/** One attempt of a task, as the web UI's task table and timeline show it. */
export interface AttemptRow {
  readonly attempt: number;
  readonly workerId: string;
  /** ms since epoch; 0 when its start fell out of the job's kept history. */
  startedAt: number;
  /** ms since epoch; 0 while it runs. */
  endedAt: number;
  outcome: AttemptOutcome;
  readonly speculative: boolean;
  /** The failed attempt's one-line error ("" otherwise). */
  error: string;
}

/** One task of a job with its attempts (`/api/jobs/ID/tasks`, docs/web-ui.md). */
export interface TaskRow {
  readonly taskId: string;
  readonly kind: 'map' | 'reduce';
  readonly state: string;
  /** Failed attempts, counted against the job's attempt limit. */
  readonly failures: number;
  /** The worker of the committed attempt, else of the latest one ("" before any). */
  readonly workerId: string;
  /** The committed attempt's time in the task, ms (0 until one). */
  readonly millis: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /**
   * Where a committed map read its input: `local` (on the worker that held it, mr://
   * inputs), `remote` (from another worker), or `storage` (files, http, s3: no worker
   * holds them); "" for reduces and maps not done.
   */
  readonly input: string;
  /** The worker holding a map's input, if any (mr:// partitions). */
  readonly preferredWorker: string;
  /** The last failed attempt's error ("" for none). */
  readonly error: string;
  readonly attempts: readonly AttemptRow[];
}

/** A page of a job's tasks, maps first. */
export interface TaskPage {
  readonly jobId: string;
  /** How many tasks the job has (maps and reduces). */
  readonly total: number;
  readonly offset: number;
  readonly tasks: readonly TaskRow[];
}

type Stats = { recordsIn: number; recordsOut: number; bytesIn: number; bytesOut: number; millis: number };

/** Attempts (and committed stats) per task id, from the job's kept history. */
function attemptsByTask(events: readonly JobEventRecord[]): {
  attempts: Map<string, Map<number, AttemptRow>>;
  stats: Map<string, Stats>;
} {
  const attempts = new Map<string, Map<number, AttemptRow>>();
  const stats = new Map<string, Stats>();
  const row = (taskId: string, n: number, workerId: string, speculative = false): AttemptRow => {
    let of = attempts.get(taskId);
    if (!of) attempts.set(taskId, (of = new Map()));
    let a = of.get(n);
    if (!a) {
      a = { attempt: n, workerId, startedAt: 0, endedAt: 0, outcome: 'running', speculative, error: '' };
      of.set(n, a);
    }
    return a;
  };
  const end = (a: AttemptRow, time: number, outcome: AttemptOutcome, error = ''): void => {
    a.endedAt = time;
    a.outcome = outcome;
    a.error = error;
  };
  for (const e of events) {
    if (e.kind === 'task-started') row(e.taskId, e.attempt, e.workerId, e.speculative).startedAt = e.time;
    else if (e.kind === 'task-succeeded') {
      end(row(e.taskId, e.attempt, e.workerId, e.speculative), e.time, 'succeeded');
      const s = e.stats;
      stats.set(e.taskId, {
        recordsIn: s.recordsIn,
        recordsOut: s.recordsOut,
        bytesIn: s.bytesIn ?? 0,
        bytesOut: s.bytesOut ?? 0,
        millis: s.millis,
      });
    } else if (e.kind === 'task-failed') end(row(e.taskId, e.attempt, e.workerId), e.time, 'failed', e.error);
    else if (e.kind === 'fetch-failed') end(row(e.taskId, e.attempt, e.workerId), e.time, 'fetch-failed', e.error);
    else if (e.kind === 'attempt-lost') end(row(e.taskId, e.attempt, e.workerId), e.time, 'lost');
    else if (e.kind === 'attempt-cancelled') end(row(e.taskId, e.attempt, e.workerId), e.time, 'cancelled', e.reason);
  }
  return { attempts, stats };
}

function taskRow(
  job: Job,
  task: Task,
  attempts: Map<number, AttemptRow> | undefined,
  stats: Stats | undefined,
): TaskRow {
  const list = attempts ? [...attempts.values()] : [];
  // The task table knows the running attempts even when the history dropped their start.
  for (const a of task.running.values()) {
    const seen = list.find((r) => r.attempt === a.n);
    if (seen) seen.startedAt ||= a.startedAt;
    else
      list.push({
        attempt: a.n,
        workerId: a.workerId,
        startedAt: a.startedAt,
        endedAt: 0,
        outcome: 'running',
        speculative: a.speculative,
        error: '',
      });
  }
  list.sort((x, y) => x.attempt - y.attempt);
  const committed = task.state === 'succeeded' ? [...list].reverse().find((a) => a.outcome === 'succeeded') : undefined;
  const workerId = committed?.workerId ?? list.at(-1)?.workerId ?? '';
  const preferred = job.preferredWorker(task) ?? '';
  let input = '';
  if (committed && task.kind === 'map') input = !preferred ? 'storage' : preferred === workerId ? 'local' : 'remote';
  return {
    taskId: task.id,
    kind: task.kind,
    state: task.state,
    failures: task.failures,
    workerId,
    millis: committed ? (stats?.millis ?? 0) : 0,
    recordsIn: committed ? (stats?.recordsIn ?? 0) : 0,
    recordsOut: committed ? (stats?.recordsOut ?? 0) : 0,
    bytesIn: committed ? (stats?.bytesIn ?? 0) : 0,
    bytesOut: committed ? (stats?.bytesOut ?? 0) : 0,
    input,
    preferredWorker: preferred,
    error: task.error ?? '',
    attempts: list,
  };
}

/**
 * Tasks `offset` to `offset + limit` of a job (maps first, then reduces) with their
 * attempts. Made on demand from the task table and the job's kept history (which drops
 * the oldest events of a very long job: those tasks then show fewer attempts).
 */
export function taskPage(job: Job, offset: number, limit: number): TaskPage {
  const { attempts, stats } = attemptsByTask(job.events);
  const maps = job.maps.length;
  const total = maps + job.reduces.length;
  const tasks: TaskRow[] = [];
  for (let i = offset; i < Math.min(total, offset + limit); i++) {
    const task = i < maps ? job.map(i) : job.reduce(i - maps);
    tasks.push(taskRow(job, task, attempts.get(task.id), stats.get(task.id)));
  }
  return { jobId: job.id, total, offset, tasks };
}

/** One attempt a worker ran, for `/api/workers/ID`. */
export interface WorkerAttemptRow extends AttemptRow {
  readonly jobId: string;
  readonly taskId: string;
}

/** A worker's attempts across the jobs the master holds, newest first, at most `limit`. */
export function workerAttempts(jobs: readonly Job[], workerId: string, limit: number): WorkerAttemptRow[] {
  const out: WorkerAttemptRow[] = [];
  for (const job of jobs) {
    const { attempts } = attemptsByTask(job.events);
    for (const [taskId, of] of attempts)
      for (const a of of.values()) if (a.workerId === workerId) out.push({ ...a, jobId: job.id, taskId });
  }
  // Running attempts (no end yet) first, then by end, newest first.
  out.sort((x, y) => (y.endedAt || Infinity) - (x.endedAt || Infinity) || y.startedAt - x.startedAt);
  return out.slice(0, limit);
}
