import type * as grpc from '@grpc/grpc-js';
import { errorMessage, NotFoundError, RequestRejectedError } from '../common/index.js';
import type { Logger, Security } from '../common/index.js';
import { isValidId, mapTaskId, reduceTaskId } from '../proto/formats/index.js';
import { createWorkerClient, toServiceError } from '../proto/wire/index.js';
import type { TaskLogLine } from '../proto/wire/generated/groove/TaskLogLine';
import type { TaskLogLine__Output } from '../proto/wire/generated/groove/TaskLogLine';
import type { TaskLogsRequest__Output } from '../proto/wire/generated/groove/TaskLogsRequest';
import type { Job } from './job.js';
import type { JobManager } from './job-manager.js';
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

/** What a relay is asked: a task (or every task) and whether to follow. */
export interface TaskLogQuery {
  readonly task: string | undefined;
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

/** `map-00001-a0, map-00002-a1 and 3 more`. */
function listOf(names: ReadonlySet<string> | undefined): string {
  const all = [...(names ?? [])].sort();
  if (all.length === 0) return 'its attempts';
  const shown = all.slice(0, 4).join(', ');
  return all.length > 4 ? `${shown} and ${all.length - 4} more` : shown;
}

/**
 * One GetTaskLogs call: reads the job's attempt logs from every worker that ran one,
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
  private readonly task: string | undefined;

  constructor(
    private readonly ctx: TaskLogRelayContext,
    private readonly call: TaskLogSink,
    private readonly job: Job,
    private readonly query: TaskLogQuery,
  ) {
    this.task = query.task;
    call.onCancelled(() => this.stop());
  }

  async run(): Promise<void> {
    if (!this.query.follow || this.job.finished) {
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
      this.unavailable(workerId, `the logs of ${listOf(names)} were on worker ${workerId}, which is lost`);
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
    this.call.write({ ...line, workerId });
  }

  private unavailable(workerId: string, why: string): void {
    if (this.ended || this.reported.has(workerId)) return;
    this.reported.add(workerId);
    this.call.write({ workerId, taskId: this.task ?? '', unavailable: why });
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

/** The job, and the task asked for when one is: a one-line error for an unknown or bad one. */
function jobAndTask(jobs: JobManager, jobId: string, taskId: string): Job {
  const job = jobs.get(jobId);
  if (taskId !== '' && !isValidId(taskId)) throw new RequestRejectedError(`bad task id ${JSON.stringify(taskId)}`);
  if (taskId !== '' && !job.task(taskId)) {
    const reduces = job.reduces.length ? ` and ${reduceTaskId(0)} to ${reduceTaskId(job.reduces.length - 1)}` : '';
    const maps = `${mapTaskId(0)} to ${mapTaskId(Math.max(0, job.maps.length - 1))}`;
    throw new NotFoundError(`job ${job.id} has no task ${taskId} (its tasks are ${maps}${reduces})`);
  }
  return job;
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
  const job = jobAndTask(ctx.jobs, jobId, taskId);
  const out: CollectedTaskLogs = { jobId: job.id, taskId, lines: [], dropped: 0, unavailable: [] };
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
  await new TaskLogRelay(ctx, sink, job, { task: taskId || undefined, follow: false }).run();
  return { ...out, dropped };
}

/** Master.GetTaskLogs (docs/logs.md). */
export function getTaskLogs(
  ctx: TaskLogRelayContext,
  call: grpc.ServerWritableStream<TaskLogsRequest__Output, TaskLogLine>,
): void {
  let job: Job;
  try {
    job = jobAndTask(ctx.jobs, call.request.jobId, call.request.taskId);
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
  const query = { task: call.request.taskId || undefined, follow: call.request.follow };
  new TaskLogRelay(ctx, sink, job, query).run().catch((err: unknown) => {
    ctx.log.warn('task log relay failed', { job: job.id, error: errorMessage(err) });
    call.emit('error', toServiceError(err));
  });
}
