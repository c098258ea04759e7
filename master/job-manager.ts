import { backoffDelay, errorMessage, NotFoundError } from '../common/index.js';
import type { Logger } from '../common/index.js';
import type { CommittedAttempts } from '../proto/wire/generated/groove/CommittedAttempts';
import type { TaskUpdate__Output } from '../proto/wire/generated/groove/TaskUpdate';
import { isValidId } from '../proto/formats/index.js';
import { Job } from './job.js';
import { outputAttempt, resultsCommitted } from './job-results.js';
import { newJobId } from './job-id.js';
import { taskAssignment } from './task-assignment.js';
import { ATTEMPT_STRIDE } from './journal/index.js';
import type { JobJournal } from './journal/index.js';
import { placeOf } from './task-place.js';
import type { JobSpec } from './job.js';
import { describePlace } from './job-event.js';
import { attemptStats, builtinCounters } from './attempt-stats.js';
import type { Task } from './task.js';
import type { Attempt } from './task-table.js';
import { planSplits } from './job-planner.js';
import { checkTaskCounts } from './task-limits.js';
import { badSuccessReport, boundedError, committedOutput, isCommitted } from './task-update-check.js';
import { resolveInputs } from './input-resolver.js';
import { asReadBy } from './whole-inputs.js';
import { JobOutputs } from './output-jobs.js';
import { checkOutputTarget } from './output-target.js';
import type { Submission } from './submission.js';
import type { CompiledMasterOptions } from './master-options.js';
import { nextLocalityTime, nextRetryTime, placeTasks } from './scheduler.js';
import { resultResolver } from './chain-inputs.js';
import { LOCAL_MAP_COUNTER, lostResultInput } from './chain-locality.js';
import { PurgedJobs } from './purged-jobs.js';
import { MAX_FETCH_FAILURES_PER_TASK, MAX_OUTPUT_LOSSES_PER_TASK } from './loss-limits.js';
import { firstStageSpec, planNextStage, StagedJobs } from './staged-jobs.js';
import type { PlannedStage } from './staged-jobs.js';
import type { WorkerEntry, WorkerRegistry } from './worker-registry.js';
import type { SchedulerMetrics } from './scheduler-metrics.js';

export { MAX_FETCH_FAILURES_PER_TASK, MAX_OUTPUT_LOSSES_PER_TASK } from './loss-limits.js';

/** Where the master keeps job packs, as the job manager sees it: it deletes a pack no job uses. */
export interface PackRemover {
  remove(hash: string): void;
}

/** The part of the master's options the job manager uses. */
export type JobPolicy = Pick<
  CompiledMasterOptions,
  'maxAttempts' | 'blacklistAfter' | 'speculationFactor' | 'speculationMinMs' | 'retryBackoffMs' | 'prefetch'
> &
  /** Default 0: no waiting for a preferred worker. */
  Partial<Pick<CompiledMasterOptions, 'localityWaitMs'>>;

/**
 * Owns the jobs: plans them, hands their tasks to free worker slots, folds task updates
 * in, recovers from failed attempts and lost workers, and ends jobs. Everything runs on
 * the master's event loop, so each method leaves the state consistent before it returns.
 *
 * Exactly one attempt per task is committed: the first to succeed. Every other attempt
 * of the task is cancelled and its files deleted, and an update from an attempt that is
 * not running any more is ignored, so results never hold a record twice.
 */
export class JobManager {
  private readonly jobs = new Map<string, Job>();
  /** Submissions so far: part of every job id, which makes ids unique by construction. */
  private submissions = 0;
  /** Tasks of the jobs held (until purged), for the per-master limit. */
  private heldTasks = 0;
  private retryTimer?: NodeJS.Timeout;
  private readonly speculationTimer: NodeJS.Timeout;
  private readonly outputs: JobOutputs;
  /** Jobs purged lately, which workers away at the purge are told of when they rejoin. */
  readonly purged = new PurgedJobs();
  private readonly staged = new StagedJobs();

  constructor(
    private readonly workers: WorkerRegistry,
    private readonly policy: JobPolicy,
    private readonly log: Logger,
    /** Deletes the master's copy of a pack once the last job using it is purged. */
    private readonly packs?: PackRemover,
    /** Where submissions, commits, ends and purges are made durable (none: nothing survives a restart). */
    private readonly journal?: JobJournal,
    /** Told how long each scheduling pass took (the master's metrics), when set. */
    private readonly metrics?: SchedulerMetrics,
  ) {
    // Stragglers only show with time; look for them even when nothing else happens.
    this.speculationTimer = setInterval(() => this.schedule(), 500);
    this.speculationTimer.unref();
    this.outputs = new JobOutputs(log);
  }

  /** Stops the manager's timers. */
  close(): void {
    clearInterval(this.speculationTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  /**
   * Plans and queues a job; resolves with it once its tasks exist. `accept` runs once the
   * job passed every check and before any of its tasks can start (the master stores the
   * job's pack then, so a refused submission leaves nothing behind).
   */
  async submit(sub: Submission, accept?: () => void): Promise<Job> {
    const results = resultResolver({ get: (id) => this.jobs.get(this.staged.resolve(id)) }, this.workers);
    const resolved = await resolveInputs(sub.inputs, { allowEmpty: sub.allowEmpty === true, results });
    const files = asReadBy(resolved, sub.reader);
    if (sub.output) await checkOutputTarget(sub.output);
    const slots = this.workers.alive().reduce((n, w) => n + w.slots, 0);
    const sizing = { requested: sub.chunkSizeIsDefault ? undefined : sub.chunkSize, defaultSize: sub.chunkSize, slots };
    const splits = planSplits(files, sizing, sub.packInputs !== false);
    checkTaskCounts(splits.count, sub.partitions, this.heldTasks);
    const id = newJobId(sub.name, ++this.submissions);
    // Unreachable by construction (the sequence number); never replace a job whatever happens.
    if (this.jobs.has(id)) throw new Error(`job id ${id} is taken`);
    const base: JobSpec = {
      id,
      name: sub.name,
      packHash: sub.packHash,
      inputs: sub.inputs,
      partitions: sub.partitions,
      ...(sub.mapOnly ? { mapOnly: true } : {}),
      params: sub.params,
      sortBufferBytes: sub.sortBufferBytes,
      maxAttempts: sub.maxAttempts || this.policy.maxAttempts,
      speculation: sub.speculation,
      output: sub.output,
      submittedBy: sub.submittedBy,
    };
    const spec = firstStageSpec(base, sub.stagePartitions);
    const job = new Job(spec, splits);
    accept?.();
    this.add({ job, files, splits }, sub.packInputs !== false);
    // Its submitter learns its id only once it is on disk: a restart must not forget it.
    await this.journal?.durable();
    return job;
  }

  /** Holds a planned job (or stage of one) and queues its tasks. */
  private add({ job, files, splits }: PlannedStage, pack = true, again = false): void {
    this.journal?.submitted(job, this.submissions, files, splits, pack, again);
    this.jobs.set(job.id, job);
    this.staged.add(job);
    this.heldTasks += job.maps.length + job.reduces.length;
    const { length: maps } = job.maps;
    this.log.info('job submitted', { job: job.id, maps, reduces: job.reduces.length, chunkSize: splits.chunkSize });
    this.schedule();
  }

  /** A stage of a staged job has every partition: the next stage starts, reading its output (docs/stages.md). */
  private nextStage(job: Job, resumed = false): void {
    const slots = this.workers.alive().reduce((n, w) => n + w.slots, 0);
    let next;
    try {
      next = planNextStage(job, (id) => this.workers.get(id)?.state, slots, resumed ? ATTEMPT_STRIDE : 0);
    } catch (err) {
      return job.finished ? undefined : this.failJob(job, job.reduce(job.reduces.length - 1), errorMessage(err));
    }
    if (!job.finished) job.finish('succeeded');
    this.stopAttempts(job, false);
    this.add(next, true, resumed);
  }

  /**
   * Takes the jobs a journal held (master/journal/recovery.ts) as this manager's: finished
   * ones are listed again; unfinished ones go on, their committed tasks kept, and one whose
   * every partition was committed has its output commit done again (renames are idempotent).
   */
  recover(jobs: readonly Job[], seq: number): void {
    this.submissions = Math.max(this.submissions, seq);
    for (const job of jobs) {
      this.jobs.set(job.id, job);
      this.heldTasks += job.maps.length + job.reduces.length;
    }
    this.staged.recover(jobs);
    for (const job of jobs) {
      // A stage that ended just before the restart, its next not started yet, starts it now.
      if (job.state === 'succeeded' && this.staged.awaitsNext(job)) this.nextStage(job, true);
      if (job.finished || !resultsCommitted(job)) continue;
      this.partitionsDone(job, true);
    }
    this.schedule();
  }

  /** Resolves once every change so far is in the journal (at once without one). */
  async durable(): Promise<void> {
    await this.journal?.durable();
  }

  get(jobId: string): Job {
    const job = isValidId(jobId) ? this.jobs.get(this.staged.resolve(jobId)) : undefined;
    if (!job) throw new NotFoundError(`no such job: ${jobId}`);
    return job;
  }

  /** Every stage's job of the staged job `job` is a stage of, first first; `[job]` for a job of one stage. */
  stagesOf(job: Job): Job[] {
    return this.staged.stagesOf(job);
  }

  /** The jobs held; a staged job as its latest stage. */
  list(): Job[] {
    return [...this.jobs.values()].filter((j) => this.staged.listed(j));
  }

  /** Kills a running job: its attempts stop on every worker, their slots and files are freed (every stage's). */
  kill(jobId: string): Job {
    const job = this.get(jobId);
    if (!job.finished) {
      job.finish('killed', 'killed by user');
      this.stopAttempts(job, true);
      // The earlier stages' part files were kept for this one only: they go with it.
      for (const { id } of job.earlierStages)
        for (const w of this.workers.connected()) w.send({ cancel: { jobId: id, deleteFiles: true } });
      this.schedule();
    }
    return job;
  }

  /**
   * Forgets a job and deletes its files on every worker; its pack goes too (on the master
   * and in the workers' caches) when no other job uses it.
   */
  purge(jobId: string): void {
    const latest = this.get(jobId);
    if (!latest.finished) this.kill(jobId);
    const stages = this.staged.stagesOf(latest);
    this.staged.forget(latest);
    for (const job of stages) this.purgeOne(job);
  }

  private purgeOne(job: Job): void {
    const jobId = job.id;
    this.journal?.purged(jobId);
    this.jobs.delete(jobId);
    this.heldTasks -= job.maps.length + job.reduces.length;
    const hash = job.spec.packHash;
    const unused = ![...this.jobs.values()].some((j) => j.spec.packHash === hash);
    if (unused) this.packs?.remove(hash);
    this.purged.add(jobId, Date.now());
    for (const w of this.workers.connected()) w.send({ purge: { jobId, packHash: unused ? hash : '' } });
  }

  /** The packs of the jobs held: a worker's cached packs not among them can go. */
  packsInUse(): string[] {
    return [...new Set([...this.jobs.values()].map((j) => j.spec.packHash))];
  }

  /**
   * A worker joined (or came back, maybe on another address: its files are where its id
   * and data dir are, so every output it holds is now served from the new address).
   */
  workerJoined(worker: WorkerEntry): void {
    for (const job of this.jobs.values()) job.readdress(worker.id, worker.dataAddress);
    this.schedule();
  }

  /**
   * The outputs on this worker that jobs still count as committed, per job: every other
   * attempt directory there is stale and the worker deletes it when it registers.
   */
  committedOn(workerId: string): CommittedAttempts[] {
    const out: CommittedAttempts[] = [];
    for (const job of this.jobs.values()) {
      const maps = job.outputsOn('map', workerId);
      const reduces = job.outputsOn('reduce', workerId);
      if (!maps.length && !reduces.length) continue;
      out.push({
        jobId: job.id,
        mapIndex: maps.map((t) => t.index),
        mapAttempt: maps.map((t) => outputAttempt(job, t)),
        reduceIndex: reduces.map((t) => t.index),
        reduceAttempt: reduces.map((t) => outputAttempt(job, t)),
      });
    }
    return out;
  }

  /** A worker asked to drain: it keeps serving its outputs but gets no new tasks. */
  workerDraining(worker: WorkerEntry): void {
    this.workers.drain(worker);
    this.log.info('worker draining', { worker: worker.id });
  }

  /**
   * A worker is gone (session ended or heartbeats stopped). Its running attempts are
   * lost (not counted as failures); map outputs it held that unfinished reducers still
   * need are computed again elsewhere; part files of unfinished jobs are redone too.
   */
  workerLost(worker: WorkerEntry): void {
    this.workers.markLost(worker);
    for (const job of this.jobs.values()) {
      if (job.finished || job.committing) continue;
      const reducesLeft = job.reducesDone < job.reduces.length;
      for (const task of job.tasksWithAttempts()) {
        for (const attempt of [...task.running.values()]) {
          if (attempt.workerId !== worker.id) continue;
          job.loseAttempt(task, attempt);
          if (task.runningCount === 0 && task.state === 'running') job.requeue(task);
        }
      }
      // Map outputs matter only while a reduce may still fetch them; part files until the job ends.
      // (A map-only job's part files are its maps': reducesLeft is false, its result kind is map.)
      const lost = [
        ...(reducesLeft ? job.outputsOn('map', worker.id) : []),
        ...job.outputsOn(job.resultKind, worker.id),
      ];
      for (const task of lost) {
        if (task.state !== 'succeeded') continue;
        job.loseOutput(task, worker.id);
        this.journal?.outputLost(job, task);
        if (this.outputLost(job, task, `its output was lost with worker ${worker.id} at ${worker.dataAddress}`)) break;
        job.requeue(task);
      }
      // An earlier job's part file that went with the worker is not made again: the
      // chained job cannot finish and fails now, naming it, rather than after its retries.
      const lostInput = job.finished ? undefined : lostResultInput(job, worker.id);
      if (lostInput) this.failJob(job, lostInput.task, lostInput.error);
    }
    this.schedule();
  }

  /** Folds a task attempt's outcome into its job. */
  taskUpdate(worker: WorkerEntry, update: TaskUpdate__Output): void {
    this.workers.attemptEnded(worker, attemptKey(update.jobId, update.taskId, update.attempt));
    const job = this.jobs.get(update.jobId);
    const task = job?.task(update.taskId);
    const attempt = task && task.runningCount > 0 ? task.running.get(update.attempt) : undefined;
    if (!job || !task || !attempt || attempt.workerId !== worker.id || job.finished || job.committing) {
      // An attempt that lost a race, was cancelled, or belongs to a finished job: its files go.
      if (update.outcome === 'TASK_SUCCEEDED' && !isCommitted(job, task, worker, update)) {
        worker.send({ cancelAttempt: { jobId: update.jobId, taskId: update.taskId, attempt: update.attempt } });
        if (job && task) this.outputs.lateSuccess(job, task, update.attempt, update.reduceOutput?.outputUrl ?? '');
      }
      this.schedule();
      return;
    }
    job.endAttempt(task, update.attempt);
    if (update.outcome === 'TASK_SUCCEEDED') this.attemptSucceeded(job, task, attempt, worker, update);
    else if (update.lostMapTasks.length) this.fetchFailed(job, task, attempt, update);
    else this.attemptFailed(job, task, attempt, worker, update);
    this.schedule();
  }

  private attemptSucceeded(
    job: Job,
    task: Task,
    attempt: Attempt,
    worker: WorkerEntry,
    update: TaskUpdate__Output,
  ): void {
    const bad = badSuccessReport(job, task, update);
    if (bad) {
      this.log.warn('refused a success report', { job: job.id, task: task.id, worker: worker.id, why: bad });
      this.attemptFailed(job, task, attempt, worker, {
        ...update,
        error: `the worker's report was refused: ${bad}`,
        errorDetail: '',
      });
      return;
    }
    // The output's directory is not stored: badSuccessReport checked it is the attempt's own.
    const output = committedOutput(job, task, update);
    if (!output) {
      this.attemptFailed(job, task, attempt, worker, {
        ...update,
        error: 'the worker reported success without an output',
        errorDetail: '',
      });
      return;
    }
    const counters: Record<string, number> = { ...update.counters, ...builtinCounters(task.kind, update.stats) };
    if (job.preferredWorker(task) === worker.id) counters[LOCAL_MAP_COUNTER] = 1;
    const stats = attemptStats(update.stats);
    job.commit(task, attempt, worker.dataAddress, output, counters, stats);
    this.journal?.committed(job, task, attempt, worker.dataAddress, output, counters, stats);
    // First success wins: the other attempts of this task stop and their files go.
    const others = task.runningCount ? [...task.running.values()] : [];
    for (const other of others) this.cancelAttempt(job, task, other, 'another attempt finished first');
    if (resultsCommitted(job)) this.partitionsDone(job);
  }

  /** Every partition has its committed attempt: the next stage starts, or the output is committed, or the job ends. */
  private partitionsDone(job: Job, resumed = false): void {
    if (this.staged.awaitsNext(job)) this.nextStage(job, resumed);
    else if (job.spec.output) this.commitOutput(job, resumed);
    else this.endJob(job);
  }

  /**
   * Ends a job whose partitions (and output, with a store) are committed: succeeded, or
   * failed by its commit. Its end is made durable first (no one hears of a success a
   * restart would undo); meanwhile it counts as committing, so nothing of it changes.
   */
  private endJob(job: Job, error?: string): void {
    const state = error === undefined ? 'succeeded' : 'failed';
    if (!this.journal) return this.finishJob(job, state, error);
    job.committing = true;
    this.journal.ended(job, state, error ?? '', '');
    this.journal.durable().then(
      () => this.finishJob(job, state, error),
      (err: unknown) => this.finishJob(job, 'failed', errorMessage(err)),
    );
  }

  private finishJob(job: Job, state: 'succeeded' | 'failed', error?: string): void {
    job.committing = false;
    // Killed while its end was being written: killed it stays.
    if (job.finished) return;
    job.finish(state, error);
    this.stopAttempts(job, false);
    if (error !== undefined) this.log.warn('job failed', { job: job.id, error });
    else this.log.info('job succeeded', { job: job.id, millis: job.finishedAt - job.submittedAt });
  }

  /** Every partition has its committed attempt: backups stop, the output is committed, then the job ends. */
  private commitOutput(job: Job, resumed = false): void {
    job.committing = true;
    this.stopAttempts(job, false);
    void this.outputs.commit(job, resumed).then((error) => {
      job.committing = false;
      // Killed while committing: the commit stopped and cleaned up; the job ended then.
      if (!job.finished) this.endJob(job, error);
      this.schedule();
    });
  }

  /**
   * A reducer could not fetch some map outputs: those maps run again; the reduce waits for
   * them, uncharged, up to MAX_FETCH_FAILURES_PER_TASK times.
   */
  private fetchFailed(job: Job, task: Task, attempt: Attempt, update: TaskUpdate__Output): void {
    job.fetchFailed(task, attempt, update.lostMapTasks, update.error);
    let from = '';
    for (const id of update.lostMapTasks) {
      const map = job.task(id);
      if (!map || map.kind !== 'map' || map.state !== 'succeeded') continue;
      const output = job.unfetchable(map);
      this.journal?.outputLost(job, map);
      if (output) from ||= ` from worker ${output.workerId} at ${output.dataAddress}`;
      if (this.outputLost(job, map, `reducers could not fetch its output${from}: ${update.error}`)) return;
      job.requeue(map);
    }
    // Only a failure to fetch an output the master still counted as held is the fetch's
    // own: outputs already written off (their worker died meanwhile) are bounded by their
    // maps' loss counts, so a cluster losing workers does not end a reduce that is fine.
    const losses = from ? job.countLoss(task) : task.losses;
    if (from && losses >= MAX_FETCH_FAILURES_PER_TASK) {
      this.failJob(job, task, `${task.id} could not fetch its input ${losses} times (last${from}): ${update.error}`);
      return;
    }
    if (task.runningCount === 0) job.requeue(task);
  }

  /** Counts a lost map output; past the bound the job fails (and true is returned). */
  private outputLost(job: Job, task: Task, why: string): boolean {
    const losses = job.countLoss(task);
    if (losses < MAX_OUTPUT_LOSSES_PER_TASK) return false;
    this.failJob(job, task, `${task.id} lost its output ${losses} times; last: ${why}`);
    return true;
  }

  /** Ends a job as failed because of one task, which is not to run again. */
  private failJob(job: Job, task: Task, error: string, errorDetail = ''): void {
    job.failBecauseOf(task, error, errorDetail);
    this.log.warn('job failed', { job: job.id, error });
    this.stopAttempts(job, false);
  }

  private attemptFailed(job: Job, task: Task, attempt: Attempt, worker: WorkerEntry, update: TaskUpdate__Output): void {
    const { error, errorDetail } = boundedError(update);
    const taskError = error || 'failed';
    const failures = job.failAttempt(task, attempt, taskError, errorDetail, this.policy.blacklistAfter);
    this.log.warn('attempt failed', {
      job: job.id,
      task: task.id,
      attempt: attempt.n,
      worker: worker.id,
      error: taskError,
    });
    if (update.errorDetail)
      this.log.debug('attempt failure detail', { job: job.id, task: task.id, stack: update.errorDetail });
    // A permanent failure (the input itself is bad) would only burn the remaining attempts.
    if (failures >= job.spec.maxAttempts || update.permanentError) {
      this.failJob(job, task, `${describePlace(task.id, placeOf(task))}: ${taskError}`, errorDetail);
      return;
    }
    if (task.runningCount === 0) {
      job.requeue(task);
      const { retryBackoffMs } = this.policy;
      job.holdBack(
        task,
        Date.now() + backoffDelay(failures - 1, { initialMs: retryBackoffMs, maxMs: 30 * retryBackoffMs }),
      );
    }
  }

  private cancelAttempt(job: Job, task: Task, attempt: Attempt, why: string): void {
    const worker = this.workers.get(attempt.workerId);
    if (worker) this.workers.attemptEnded(worker, attemptKey(job.id, task.id, attempt.n));
    if (worker && worker.state !== 'lost')
      worker.send({ cancelAttempt: { jobId: job.id, taskId: task.id, attempt: attempt.n } });
    job.cancelAttempt(task, attempt, why);
  }

  /** Stops every attempt of a finished job on every worker; a killed job's files go too. */
  private stopAttempts(job: Job, deleteFiles: boolean): void {
    // A job that ends without its commit (failed, killed) leaves no temporary objects in its store.
    if (job.finished) {
      this.outputs.endedWithoutCommit(job);
      this.journal?.ended(job);
    }
    for (const task of job.tasksWithAttempts()) {
      for (const a of task.running.values()) {
        const worker = this.workers.get(a.workerId);
        if (worker) this.workers.attemptEnded(worker, attemptKey(job.id, task.id, a.n));
      }
      job.clearAttempts(task);
    }
    for (const w of this.workers.connected()) w.send({ cancel: { jobId: job.id, deleteFiles } });
  }

  private schedulePending = false;

  /**
   * Hands runnable tasks (and backup attempts) to free slots. Called after every change
   * that could free or create work; the pass itself runs once per turn of the event loop,
   * so a burst of task updates from many workers costs one pass, not one each.
   */
  schedule(): void {
    if (this.schedulePending) return;
    this.schedulePending = true;
    setImmediate(() => {
      this.schedulePending = false;
      this.schedulePass();
    });
  }

  private schedulePass(): void {
    const now = Date.now();
    const active = [...this.jobs.values()].filter((j) => !j.finished && !j.committing);
    // Pipelined assignment: a worker holds up to `prefetch` tasks per slot, so its next
    // task is already there when one finishes instead of a round trip to the master later.
    const views = this.workers
      .alive()
      .map((w) => ({ id: w.id, free: Math.max(0, w.slots * this.policy.prefetch - w.running.size) }));
    if (views.some((v) => v.free > 0) && active.length) {
      const policy = {
        now,
        blacklistAfter: this.policy.blacklistAfter,
        speculationFactor: this.policy.speculationFactor,
        speculationMinMs: this.policy.speculationMinMs,
        localityWaitMs: this.policy.localityWaitMs,
      };
      const started = performance.now();
      const placed = placeTasks(active, views, policy);
      for (const p of placed) this.start(p.job, p.task, p.workerId, p.speculative, now);
      this.metrics?.schedulerPass((performance.now() - started) / 1000, placed.length);
    }
    this.armRetryTimer(active, now);
  }

  private start(job: Job, task: Task, workerId: string, speculative: boolean, now: number): void {
    const worker = this.workers.get(workerId) as WorkerEntry;
    const attempt = job.startAttempt(task, workerId, now, speculative);
    this.workers.attemptStarted(worker, attemptKey(job.id, task.id, attempt.n));
    const dataAddress = (id: string): string => this.workers.get(id)?.dataAddress ?? '';
    worker.send(taskAssignment(job, task, attempt.n, dataAddress, this.outputs));
  }

  private armRetryTimer(active: readonly Job[], now: number): void {
    const retry = nextRetryTime(active, now);
    const local = nextLocalityTime(active, this.policy.localityWaitMs ?? 0, now);
    const next = retry === undefined || (local !== undefined && local < retry) ? local : retry;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (next !== undefined) {
      this.retryTimer = setTimeout(() => this.schedule(), Math.max(0, next - now) + 5);
      this.retryTimer.unref();
    }
  }
}

function attemptKey(jobId: string, taskId: string, attempt: number): string {
  return `${jobId}/${taskId}/${attempt}`;
}
