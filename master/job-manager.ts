import { randomBytes } from 'node:crypto';
import type { Logger } from '../common/logger.js';
import { UserError } from '../common/errors.js';
import type { TaskUpdate__Output } from '../proto/generated/groove/TaskUpdate';
import { isValidId } from '../proto/ids.js';
import { Job } from './job.js';
import type { JobSpec, Task } from './job.js';
import { planJob } from './job-planner.js';
import { resolveInputs } from './input-resolver.js';
import { placeTasks } from './scheduler.js';
import type { WorkerEntry, WorkerRegistry } from './worker-registry.js';

/** What a submission asks for, after the RPC layer checked it. */
export interface Submission {
  readonly name: string;
  readonly packHash: string;
  readonly inputs: readonly string[];
  readonly partitions: number;
  readonly params: Readonly<Record<string, string>>;
  readonly chunkSize: number;
  readonly sortBufferBytes: number;
}

/**
 * Owns the jobs: plans them, hands their tasks to free worker slots, folds task updates
 * in, and ends them. Everything runs on the master's event loop, so there are no locks:
 * each method leaves the state consistent before it returns.
 */
export class JobManager {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly workers: WorkerRegistry,
    private readonly log: Logger,
  ) {}

  /** Plans and queues a job; resolves with it once its tasks exist. */
  async submit(sub: Submission): Promise<Job> {
    const files = await resolveInputs(sub.inputs);
    const spec: JobSpec = {
      id: newJobId(sub.name),
      name: sub.name,
      packHash: sub.packHash,
      inputs: sub.inputs,
      partitions: sub.partitions,
      params: sub.params,
      sortBufferBytes: sub.sortBufferBytes,
    };
    const job = planJob(spec, files, sub.chunkSize);
    this.jobs.set(job.id, job);
    job.emit('submitted', `${job.maps.length} map tasks over ${files.length} files, ${job.reduces.length} reduce tasks`);
    this.log.info('job submitted', { job: job.id, maps: job.maps.length, reduces: job.reduces.length });
    this.schedule();
    return job;
  }

  get(jobId: string): Job {
    const job = isValidId(jobId) ? this.jobs.get(jobId) : undefined;
    if (!job) throw new UserError(`no such job: ${jobId}`);
    return job;
  }

  list(): Job[] {
    return [...this.jobs.values()];
  }

  /** Kills a running job: its tasks are cancelled on every worker. */
  kill(jobId: string): Job {
    const job = this.get(jobId);
    if (!job.finished) {
      job.finish('killed', 'killed by user');
      this.cancelEverywhere(job);
      this.schedule();
    }
    return job;
  }

  /** Forgets a job and deletes its files on every worker. */
  purge(jobId: string): void {
    const job = this.get(jobId);
    if (!job.finished) this.kill(jobId);
    this.jobs.delete(jobId);
    for (const w of this.workers.alive()) w.send({ purge: { jobId } });
  }

  /** A worker joined (or came back): give it work. */
  workerJoined(): void {
    this.schedule();
  }

  /** A worker's session ended: whatever it was running goes back to pending. */
  workerLost(worker: WorkerEntry): void {
    worker.state = 'lost';
    for (const job of this.jobs.values()) {
      if (job.finished) continue;
      for (const task of [...job.maps, ...job.reduces]) {
        if (task.state === 'running' && task.workerId === worker.id) {
          job.setTaskState(task, 'pending');
          job.emit('task-lost', `${task.id} attempt ${task.attempts - 1} lost with worker ${worker.id}`);
        }
      }
    }
    worker.running.clear();
    this.schedule();
  }

  /** Folds a task attempt's outcome into its job. */
  taskUpdate(worker: WorkerEntry, update: TaskUpdate__Output): void {
    worker.running.delete(`${update.jobId}/${update.taskId}/${update.attempt}`);
    const job = this.jobs.get(update.jobId);
    const task = job && [...job.maps, ...job.reduces].find((t) => t.id === update.taskId);
    // Updates of finished jobs, and of attempts that are no longer the current one, are stale.
    if (!job || !task || job.finished || task.state !== 'running' || task.workerId !== worker.id || task.attempts - 1 !== update.attempt) {
      this.schedule();
      return;
    }
    if (update.outcome === 'TASK_SUCCEEDED') {
      if (task.kind === 'map' && update.mapOutput) {
        task.mapOutput = { workerId: worker.id, dataAddress: worker.dataAddress, dir: update.mapOutput.dir, offsets: update.mapOutput.offsets };
      } else if (task.kind === 'reduce' && update.reduceOutput) {
        const out = update.reduceOutput;
        task.partFile = { workerId: worker.id, dataAddress: worker.dataAddress, path: out.path, records: out.records, bytes: out.bytes };
      } else {
        this.failJob(job, task, 'the worker reported success without an output');
        return;
      }
      job.setTaskState(task, 'succeeded');
      job.addCounters(update.counters);
      job.addCounters(builtinCounters(task.kind, update.stats));
      job.emit('task-succeeded', `${task.id} on ${worker.id} (${update.stats?.recordsIn ?? 0} records in, ${update.stats?.recordsOut ?? 0} out, ${Math.round(update.stats?.millis ?? 0)} ms)`);
      if (job.reducesDone === job.reduces.length) {
        job.finish('succeeded');
        this.log.info('job succeeded', { job: job.id, millis: job.finishedAt - job.submittedAt });
      }
    } else {
      task.error = update.error;
      this.log.warn('task failed', { job: job.id, task: task.id, worker: worker.id, error: update.error });
      if (update.errorDetail) this.log.debug('task failure detail', { job: job.id, task: task.id, stack: update.errorDetail });
      this.failJob(job, task, update.error || 'failed');
    }
    this.schedule();
  }

  private failJob(job: Job, task: Task, error: string): void {
    job.setTaskState(task, 'failed');
    const where = task.split ? ` (input ${task.split.path}, bytes ${task.split.start}-${task.split.start + task.split.length})` : ` (partition ${task.index})`;
    job.emit('task-failed', `${task.id}${where}: ${error}`);
    job.finish('failed', `${task.id}${where}: ${error}`);
    this.log.warn('job failed', { job: job.id, error: job.error });
    this.cancelEverywhere(job);
  }

  private cancelEverywhere(job: Job): void {
    for (const w of this.workers.alive()) w.send({ cancel: { jobId: job.id } });
  }

  /** Hands runnable tasks to free slots. Called after every change that could free or create work. */
  schedule(): void {
    const alive = this.workers.alive();
    const views = alive.map((w) => ({ id: w.id, free: w.slots - w.running.size })).filter((v) => v.free > 0);
    if (!views.length) return;
    const active = [...this.jobs.values()].filter((j) => !j.finished);
    for (const { job, task, workerId } of placeTasks(active, views)) {
      const worker = this.workers.get(workerId) as WorkerEntry;
      const attempt = task.attempts;
      task.attempts++;
      task.workerId = workerId;
      job.setTaskState(task, 'running');
      worker.running.add(`${job.id}/${task.id}/${attempt}`);
      job.emit('task-started', `${task.id} attempt ${attempt} on ${workerId}`);
      worker.send({ assign: this.assignment(job, task, attempt) });
    }
  }

  private assignment(job: Job, task: Task, attempt: number): object {
    const base = {
      jobId: job.id,
      taskId: task.id,
      attempt,
      packHash: job.spec.packHash,
      partitions: job.spec.partitions,
      params: job.spec.params,
      sortBufferBytes: job.spec.sortBufferBytes,
    };
    if (task.kind === 'map') {
      const s = task.split;
      return { ...base, kind: 'MAP', mapInput: s ? { path: s.path, start: s.start, length: s.length } : null };
    }
    return {
      ...base,
      kind: 'REDUCE',
      partition: task.index,
      mapOutputs: job.maps.map((m) => {
        const o = m.mapOutput;
        if (!o) throw new Error(`reduce scheduled before ${m.id} finished`);
        return { taskId: m.id, workerId: o.workerId, dataAddress: o.dataAddress, dir: o.dir, offsets: [...o.offsets] };
      }),
    };
  }
}

/** Groove's own counters, summed like user counters (as Hadoop's task counters are). */
function builtinCounters(kind: 'map' | 'reduce', stats: TaskUpdate__Output['stats']): Record<string, number> {
  if (!stats) return {};
  if (kind === 'map') {
    return { 'groove.map.input.records': stats.recordsIn, 'groove.map.output.records': stats.recordsOut, 'groove.map.input.bytes': stats.bytesIn, 'groove.map.output.bytes': stats.bytesOut, 'groove.map.spills': stats.spills };
  }
  return { 'groove.reduce.input.records': stats.recordsIn, 'groove.reduce.output.records': stats.recordsOut, 'groove.reduce.shuffle.bytes': stats.bytesIn, 'groove.reduce.output.bytes': stats.bytesOut };
}

/** Job ids read well in a terminal and sort by submission time: `wordcount-20261126-000102-a1b2`. */
function newJobId(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'job';
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${safe}-${t}-${randomBytes(2).toString('hex')}`;
}
