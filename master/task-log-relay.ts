import type * as grpc from '@grpc/grpc-js';
import { errorMessage } from '../common/index.js';
import type { Logger, Security } from '../common/index.js';
import { createWorkerClient, toServiceError } from '../proto/wire/index.js';
import type { TaskLogLine } from '../proto/wire/generated/groove/TaskLogLine';
import type { TaskLogLine__Output } from '../proto/wire/generated/groove/TaskLogLine';
import type { TaskLogsRequest__Output } from '../proto/wire/generated/groove/TaskLogsRequest';
import type { Job } from './job.js';
import type { JobManager } from './job-manager.js';
import { laterTaskLogTargets, taskLogTargets } from './task-log-targets.js';
import type { TaskLogTarget } from './task-log-targets.js';
import type { WorkerRegistry } from './worker-registry.js';

/**
 * How long the master waits for one worker's logs when reading them (not following), ms:
 * 15 s. Logs are at most a megabyte per attempt on disk; a worker that takes longer is as
 * good as gone, and `mr logs` must not hang on it.
 */
export const TASK_LOG_READ_TIMEOUT_MS = 15_000;

/** What the relay needs of the master. */
export interface TaskLogRelayContext {
  readonly jobs: JobManager;
  readonly workers: WorkerRegistry;
  /** The master's own credentials: it is a client of the workers' services like any other. */
  readonly security: Security;
  readonly log: Logger;
}

/** Where a relay sends what it reads: a gRPC call, or an answer being collected. */
export interface TaskLogSink {
  write(line: TaskLogLine): void;
  end(): void;
  /** Calls `fn` when the reader goes away; returns what stops calling it. */
  onCancelled(fn: () => void): () => void;
}

/** What a read is asked: the job (a staged job's id covers every stage), a task ('' for every task), whether to follow. */
export interface TaskLogQuery {
  readonly jobId: string;
  readonly task: string;
  readonly follow: boolean;
}

/** `map-00001-a0`: how an attempt's log is named on its worker and in resume offsets. */
function logName(taskId: string, attempt: number): string {
  return `${taskId}-a${attempt}`;
}

/**
 * The attempts of a job (of one task when asked) by the worker they ran on: from the job's
 * kept history and its running attempts, which is where the master knows them from.
 */
function attemptsByWorker(job: Job, task: string | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (workerId: string, taskId: string, attempt: number): void => {
    if (task !== undefined && taskId !== task) return;
    let of = out.get(workerId);
    if (!of) out.set(workerId, (of = new Set()));
    of.add(logName(taskId, attempt));
  };
  for (const e of job.events) if (e.kind === 'task-started') add(e.workerId, e.taskId, e.attempt);
  for (const t of job.runningTasks()) for (const a of t.running.values()) add(a.workerId, t.id, a.n);
  return out;
}

/** `map-00001-a0, map-00002-a1 and 3 more` (each after `prefix`: `stage1/map-00001-a0`). */
function listOf(names: ReadonlySet<string> | undefined, prefix: string): string {
  const all = [...(names ?? [])].sort().map((n) => prefix + n);
  if (all.length === 0) return 'its attempts';
  const shown = all.slice(0, 4).join(', ');
  return all.length > 4 ? `${shown} and ${all.length - 4} more` : shown;
}

/**
 * One job's part of a GetTaskLogs call (the job, or one stage of a staged job, its lines'
 * task ids after the stage's prefix): reads the job's attempt logs from every worker that ran one,
 * worker by worker, and, with `follow` on a running job, streams what they log next until
 * the job ends. Then the follow streams are cut and each worker is read once more from
 * where its stream stopped, so lines that were on their way when the job ended are not
 * lost. A lost or unreachable worker is one `unavailable` line, never a wait past
 * {@link TASK_LOG_READ_TIMEOUT_MS} (or the job's end, when following).
 */
class TaskLogRelay {
  /** Resume offsets by worker, then by attempt log name. */
  private readonly offsets = new Map<string, Record<string, number>>();
  private readonly follows = new Map<string, grpc.ClientReadableStream<TaskLogLine__Output>>();
  /** Workers whose logs were said to be unavailable (once each). */
  private readonly reported = new Set<string>();
  private ended = false;
  private readonly job: Job;
  private readonly task: string | undefined;
  private readonly prefix: string;

  constructor(
    private readonly ctx: TaskLogRelayContext,
    private readonly call: TaskLogSink,
    target: TaskLogTarget,
    private readonly following: boolean,
  ) {
    ({ job: this.job, task: this.task, prefix: this.prefix } = target);
    call.onCancelled(() => this.stop());
  }

  async run(): Promise<void> {
    if (!this.following || this.job.finished) {
      for (const [workerId, names] of attemptsByWorker(this.job, this.task)) await this.readOnce(workerId, names);
      this.finish();
      return;
    }
    for (const workerId of attemptsByWorker(this.job, this.task).keys()) this.follow(workerId);
    const unsubscribe = this.job.subscribe((e) => {
      if (e.kind === 'task-started' && (this.task === undefined || e.taskId === this.task)) this.follow(e.workerId);
      if (this.job.finished) {
        unsubscribe();
        void this.catchUp();
      }
    });
    this.call.onCancelled(unsubscribe);
  }

  /** The job ended: the follow streams are cut, and every worker read from where its stream stopped. */
  private async catchUp(): Promise<void> {
    const workers = [...this.follows.keys()];
    for (const s of this.follows.values()) s.cancel();
    this.follows.clear();
    const byWorker = attemptsByWorker(this.job, this.task);
    for (const workerId of workers) await this.readOnce(workerId, byWorker.get(workerId));
    this.finish();
  }

  private follow(workerId: string): void {
    if (this.ended || this.follows.has(workerId) || this.reported.has(workerId)) return;
    const entry = this.ctx.workers.get(workerId);
    if (!entry || entry.state === 'lost') {
      this.unavailable(workerId, `the logs on worker ${workerId} are gone with it: it is lost`);
      return;
    }
    const client = createWorkerClient(entry.dataAddress, this.ctx.security);
    const stream = client.readTaskLogs({ ...this.request(workerId), follow: true });
    this.follows.set(workerId, stream);
    stream.on('data', (line: TaskLogLine__Output) => {
      if (this.follows.get(workerId) === stream) this.forward(workerId, line);
    });
    stream.on('error', (err: grpc.ServiceError) => {
      // Cut by catchUp or stop: expected. Anything else: the catch-up read says what became of the worker.
      if (this.follows.get(workerId) === stream)
        this.ctx.log.debug('a task log stream broke', { job: this.job.id, worker: workerId, error: err.message });
    });
    stream.on('close', () => client.close());
  }

  /** Reads a worker's logs of the job once, from the offsets so far, within the read timeout. */
  private async readOnce(workerId: string, names: ReadonlySet<string> | undefined): Promise<void> {
    if (this.ended || this.reported.has(workerId)) return;
    const entry = this.ctx.workers.get(workerId);
    if (!entry || entry.state === 'lost') {
      this.unavailable(workerId, `the logs of ${listOf(names, this.prefix)} were on worker ${workerId}, which is lost`);
      return;
    }
    const client = createWorkerClient(entry.dataAddress, this.ctx.security);
    const stream = client.readTaskLogs(this.request(workerId), { deadline: Date.now() + TASK_LOG_READ_TIMEOUT_MS });
    const off = this.call.onCancelled(() => stream.cancel());
    try {
      for await (const line of stream as AsyncIterable<TaskLogLine__Output>) this.forward(workerId, line);
    } catch (err) {
      if (!this.ended) {
        const why = (err as grpc.ServiceError).details || errorMessage(err);
        this.unavailable(workerId, `cannot read the logs on worker ${workerId} at ${entry.dataAddress}: ${why}`);
      }
    } finally {
      off();
      client.close();
    }
  }

  private request(workerId: string): { jobId: string; taskId: string; from: Record<string, number> } {
    return { jobId: this.job.id, taskId: this.task ?? '', from: { ...this.offsets.get(workerId) } };
  }

  private forward(workerId: string, line: TaskLogLine__Output): void {
    if (this.ended) return;
    let of = this.offsets.get(workerId);
    if (!of) this.offsets.set(workerId, (of = {}));
    of[logName(line.taskId, line.attempt)] = line.endOffset;
    this.call.write({ ...line, workerId, taskId: this.prefix + line.taskId });
  }

  private unavailable(workerId: string, why: string): void {
    if (this.ended || this.reported.has(workerId)) return;
    this.reported.add(workerId);
    this.call.write({ workerId, taskId: this.task === undefined ? '' : this.prefix + this.task, unavailable: why });
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.call.end();
  }

  /** The caller went away: every stream to the workers is cut. */
  private stop(): void {
    this.ended = true;
    for (const s of this.follows.values()) s.cancel();
    this.follows.clear();
  }
}

/**
 * Relays what a read covers (taskLogTargets), one job after the other, to `call`, which
 * ends once the last is read. Following a staged job, it goes on with each stage started
 * after the read began, until the job ends or the caller goes away.
 */
async function relayTargets(
  ctx: TaskLogRelayContext,
  call: TaskLogSink,
  query: TaskLogQuery,
  first: readonly TaskLogTarget[],
): Promise<void> {
  // One listener on the call for the whole read, however many stages: each stage's relay
  // registers its own, dropped when that stage is read.
  const handlers = new Set<() => void>();
  let cancelled = false;
  call.onCancelled(() => {
    cancelled = true;
    for (const fn of [...handlers]) fn();
  });
  // A read not pinned to a stage covers every stage so far (taskLogTargets).
  let seen = first.length;
  let targets = first;
  while (targets.length > 0) {
    for (const target of targets) {
      if (cancelled) return;
      await new Promise<void>((resolve, reject) => {
        handlers.add(resolve);
        const inner: TaskLogSink = {
          write: (line) => call.write(line),
          end: resolve,
          onCancelled: (fn) => (handlers.add(fn), () => handlers.delete(fn)),
        };
        new TaskLogRelay(ctx, inner, target, query.follow).run().catch(reject);
      });
      handlers.clear();
    }
    if (!query.follow || cancelled) break;
    // A stage that ended has started the next in the same turn: it is known by now.
    targets = laterTaskLogTargets(ctx.jobs, query.jobId, query.task, seen);
    seen += targets.length;
  }
  call.end();
}

/** A job's task logs as one answer (the web UI's `/api/jobs/ID/logs`). */
export interface CollectedTaskLogs {
  readonly jobId: string;
  /** The task asked for; "" for every task. */
  readonly taskId: string;
  /** The lines, at most `max` of them: the last ones when there were more. */
  readonly lines: TaskLogLine[];
  /** Lines left out at the start, past `max`. */
  readonly dropped: number;
  /** Why some logs could not be read (a lost worker), a line each. */
  readonly unavailable: string[];
}

/** Reads a job's task logs (one task's, when given) into one answer of at most `max` lines. */
export async function collectTaskLogs(
  ctx: TaskLogRelayContext,
  jobId: string,
  taskId: string,
  max: number,
): Promise<CollectedTaskLogs> {
  const targets = taskLogTargets(ctx.jobs, jobId, taskId);
  const out: CollectedTaskLogs = { jobId, taskId, lines: [], dropped: 0, unavailable: [] };
  let dropped = 0;
  const sink: TaskLogSink = {
    write(line) {
      if (line.unavailable) out.unavailable.push(line.unavailable);
      else out.lines.push(line);
      if (out.lines.length > max) {
        out.lines.shift();
        dropped++;
      }
    },
    end: () => undefined,
    onCancelled: () => () => undefined,
  };
  await relayTargets(ctx, sink, { jobId, task: taskId, follow: false }, targets);
  return { ...out, dropped };
}

/** Master.GetTaskLogs (docs/logs.md). */
export function getTaskLogs(
  ctx: TaskLogRelayContext,
  call: grpc.ServerWritableStream<TaskLogsRequest__Output, TaskLogLine>,
): void {
  const query: TaskLogQuery = { jobId: call.request.jobId, task: call.request.taskId, follow: call.request.follow };
  let targets: TaskLogTarget[];
  try {
    targets = taskLogTargets(ctx.jobs, query.jobId, query.task);
  } catch (err) {
    call.emit('error', toServiceError(err));
    return;
  }
  const sink: TaskLogSink = {
    write: (line) => call.write(line),
    end: () => call.end(),
    onCancelled: (fn) => {
      call.on('cancelled', fn);
      return () => call.off('cancelled', fn);
    },
  };
  relayTargets(ctx, sink, query, targets).catch((err: unknown) => {
    ctx.log.warn('task log relay failed', { job: query.jobId, error: errorMessage(err) });
    call.emit('error', toServiceError(err));
  });
}
