import type { JobSpec } from './job-spec.js';
import { expectedAttemptDir } from './attempt-dir.js';
import { CounterTable } from './counter-table.js';
import { HostTable } from './host-table.js';
import type { SplitPlan } from './input-splitter.js';
import { endEvent } from './job-event.js';
import type { AttemptStats, JobEventRecord } from './job-event.js';
import { placeOf } from './task-place.js';
import { assertJobTransition, assertTaskTransition, isTerminal } from './job-state.js';
import type { JobState, TaskState } from './job-state.js';
import { Task } from './task.js';
import { TaskOutputs } from './task-outputs.js';
import { TaskTable } from './task-table.js';
import type { Attempt } from './task-table.js';
import type { MapOutputRef, PartFileRef } from './output-refs.js';

export type { MapOutputRef, PartFileRef } from './output-refs.js';

export type { JobSpec } from './job-spec.js';

/** What a committed attempt wrote: a map's R + 1 partition offsets, or a reduce's part file size. */
export type CommittedOutput =
  { readonly offsets: ArrayLike<number> } | { readonly records: number; readonly bytes: number };

/** A read-only view of one kind of task's columns. */
export type TaskColumns = Pick<TaskTable, 'kind' | 'length' | 'id' | 'extrasCount' | 'stateCounts'>;

/** A read-only view of one kind of task's committed outputs. */
export type OutputColumns = Pick<TaskOutputs, 'length' | 'stride' | 'has' | 'host' | 'attempt' | 'value' | 'values'>;

/** A read-only view of the workers holding a job's outputs. */
export type JobHosts = Pick<HostTable, 'get' | 'indicesOf'>;

/** The most events a job keeps; older ones are dropped (the counts in the status stay exact). */
const MAX_EVENTS = 10_000;
/** How many recent winning-attempt durations per kind are kept to judge stragglers. */
const DURATION_SAMPLE = 1024;

/**
 * A job and its tasks. It is the only writer of their state: every change goes through
 * its methods, which check the lifecycle rules (job-state.ts), and what happened goes
 * through one method, record, as a typed event (job-event.ts) that the listeners
 * (watchers, status page) see.
 *
 * Tasks live in columns (TaskTable, TaskOutputs, CounterTable) rather than one object
 * each: a job may have a million tasks, and the master must hold them in far less than
 * a GiB. `Task` objects are read-only views made on demand.
 */
export class Job {
  private jobState: JobState = 'running';
  private jobError = '';
  private jobErrorDetail = '';
  readonly submittedAt: number;
  private finishTime = 0;
  private readonly mapTable: TaskTable;
  private readonly reduceTable: TaskTable;
  /** The maps' columns. */
  readonly maps: TaskColumns;
  /** The reduces' columns. */
  readonly reduces: TaskColumns;
  private readonly hostTable = new HostTable();
  /** Workers holding this job's outputs. */
  readonly hosts: JobHosts = this.hostTable;
  private readonly mapOutputTable: TaskOutputs;
  private readonly partFileTable: TaskOutputs;
  /** Map outputs: R + 1 partition offsets each. */
  readonly mapOutputs: OutputColumns;
  /** Part files: records and bytes each, one per result task (see job-results.ts). */
  readonly partFiles: OutputColumns;
  /** A map-only job: its maps write the part files, and it has no reduces. */
  readonly mapOnly: boolean;
  /** The kind of task whose part files are the job's results: reduces, or a map-only job's maps. */
  readonly resultKind: 'map' | 'reduce';
  private readonly counterTable: CounterTable;
  private readonly history: JobEventRecord[] = [];
  /** Failed attempts per worker, for the per-job blacklist. */
  private readonly failuresByWorker = new Map<string, number>();
  private failedCount = 0;
  private speculativeCount = 0;
  private mapsSucceeded = 0;
  private reducesSucceeded = 0;
  /** Recent winning-attempt durations per kind, ms (a bounded sample). */
  private readonly durationSample: Readonly<Record<'map' | 'reduce', number[]>> = { map: [], reduce: [] };
  private readonly listeners = new Set<(event: JobEventRecord) => void>();
  /**
   * True from the moment every partition has its committed attempt until the output commit
   * ends (a job with an output store): the job is still running, but no task of it runs
   * again and nothing of it is scheduled; the commit then finishes it.
   */
  committing = false;
  /** Map tasks whose input has a preferred worker: part files of earlier jobs (mr://). */
  readonly mapsWithLocality: number;
  /** Pending maps passed over while their preferred worker was busy: since when (delay scheduling). */
  private readonly localityWaits = new Map<number, number>();
  /** A stage of a staged job: the stages before it, first first (master/staged-jobs.ts links them). */
  earlierStages: readonly Job[] = [];

  /**
   * A job with one pending map per split and one pending reduce per partition; its first
   * event says so. A job rebuilt from the journal keeps its submission time, and numbers
   * its attempts from `attemptBase` (past those of the master before, see master/journal/).
   */
  constructor(
    readonly spec: JobSpec,
    splits: SplitPlan,
    origin?: { readonly submittedAt: number; readonly attemptBase: number },
  ) {
    this.submittedAt = origin?.submittedAt ?? Date.now();
    this.maps = this.mapTable = new TaskTable('map', splits.count, splits);
    this.reduces = this.reduceTable = new TaskTable('reduce', spec.partitions);
    this.mapTable.nextAttempt.fill(origin?.attemptBase ?? 0);
    this.reduceTable.nextAttempt.fill(origin?.attemptBase ?? 0);
    this.mapOnly = spec.mapOnly === true;
    this.resultKind = this.mapOnly ? 'map' : 'reduce';
    this.mapOutputs = this.mapOutputTable = new TaskOutputs(this.maps.length, spec.partitions + 1);
    this.partFiles = this.partFileTable = new TaskOutputs(this.table(this.resultKind).length, 2);
    this.counterTable = new CounterTable(this.maps.length + this.reduces.length);
    this.mapsWithLocality = splits.resultFileCount;
    const { length: maps } = this.maps;
    this.record({
      time: this.submittedAt,
      kind: 'job-submitted',
      maps,
      files: splits.fileCount,
      reduces: this.reduces.length,
    });
  }

  get id(): string {
    return this.spec.id;
  }

  get state(): JobState {
    return this.jobState;
  }

  /** Why the job failed or was killed; empty while it runs or after it succeeded. */
  get error(): string {
    return this.jobError;
  }

  /** The failed attempt's stack, when one ended the job. */
  get errorDetail(): string {
    return this.jobErrorDetail;
  }

  /** When the job ended, ms since epoch; 0 while it runs. */
  get finishedAt(): number {
    return this.finishTime;
  }

  get finished(): boolean {
    return isTerminal(this.jobState);
  }

  /** Attempts that failed, over all tasks (fetch failures and lost attempts not counted). */
  get failedAttempts(): number {
    return this.failedCount;
  }

  /** Backup attempts started for stragglers. */
  get speculativeAttempts(): number {
    return this.speculativeCount;
  }

  get mapsDone(): number {
    return this.mapsSucceeded;
  }

  get reducesDone(): number {
    return this.reducesSucceeded;
  }

  /** The job's recent history, oldest first (at most 2 x MAX_EVENTS). */
  get events(): readonly JobEventRecord[] {
    return this.history;
  }

  /** Failed attempts per worker, for the per-job blacklist. */
  get workerFailures(): ReadonlyMap<string, number> {
    return this.failuresByWorker;
  }

  /** Recent winning-attempt durations per kind, ms (a bounded sample). */
  get durations(): Readonly<Record<'map' | 'reduce', readonly number[]>> {
    return this.durationSample;
  }

  /** The job's counters: every task's committed attempt, summed. */
  get counters(): Readonly<Record<string, number>> {
    return this.counterTable.totals;
  }

  /** Map task `index`. */
  map(index: number): Task {
    return this.taskAt(this.mapTable, index);
  }

  /** Reduce task of partition `p`. */
  reduce(p: number): Task {
    return this.taskAt(this.reduceTable, p);
  }

  private taskAt(table: TaskTable, index: number): Task {
    if (!(Number.isInteger(index) && index >= 0 && index < table.length))
      throw new RangeError(`no ${table.kind} task ${index} of ${table.length}`);
    return new Task(table, index);
  }

  private table(kind: 'map' | 'reduce'): TaskTable {
    return kind === 'map' ? this.mapTable : this.reduceTable;
  }

  /** The task with this id (`map-00007`, `reduce-00001`), if the job has it. */
  task(id: string): Task | undefined {
    const m = /^(map|reduce)-(\d+)$/.exec(id);
    if (!m) return undefined;
    const table = m[1] === 'map' ? this.mapTable : this.reduceTable;
    const index = Number(m[2]);
    return index < table.length && table.id(index) === id ? new Task(table, index) : undefined;
  }

  /** Pending tasks of one kind, lazily: those never started in index order, then those put back, in the order they came back. */
  *pendingTasks(kind: 'map' | 'reduce'): Generator<Task> {
    const table = this.table(kind);
    for (const i of table.pending()) yield new Task(table, i);
  }

  /** The tasks running now, maps first. */
  runningTasks(): Task[] {
    const out: Task[] = [];
    for (const table of [this.mapTable, this.reduceTable]) for (const i of table.running) out.push(new Task(table, i));
    return out;
  }

  /** The tasks with running attempts, maps first: the running ones, and one whose failure just ended the job. */
  tasksWithAttempts(): Task[] {
    const out: Task[] = [];
    for (const table of [this.mapTable, this.reduceTable])
      for (const i of table.withAttempts()) out.push(new Task(table, i));
    return out;
  }

  /** How many tasks run now. */
  get runningCount(): number {
    return this.mapTable.running.size + this.reduceTable.running.size;
  }

  /** Pending tasks waiting out a retry backoff, lazily (see holdBack). */
  *heldBack(): Generator<Task> {
    for (const table of [this.mapTable, this.reduceTable]) for (const i of table.heldBack) yield new Task(table, i);
  }

  /** Stops tracking a task as held back (it started, or its wait is over). */
  releaseHeldBack(task: Task): void {
    this.table(task.kind).heldBack.delete(task.index);
  }

  /** The worker a task had better run on (the holder of its input's part file), if any. */
  preferredWorker(task: Task): string | undefined {
    // Jobs without such inputs (nearly all) skip computing the split of every task they place.
    if (this.mapsWithLocality === 0 || task.kind !== 'map') return undefined;
    return task.split?.location;
  }

  /** Since when a pending task waits for its preferred worker (now, the first time it is asked). */
  localityWaitStart(task: Task, now: number): number {
    const since = this.localityWaits.get(task.index);
    if (since !== undefined) return since;
    this.localityWaits.set(task.index, now);
    return now;
  }

  /** The times pending tasks began waiting for their preferred workers. */
  localityWaitStarts(): IterableIterator<number> {
    return this.localityWaits.values();
  }

  /** Subscribes to the job's events; returns the unsubscribe function. */
  subscribe(listener: (event: JobEventRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The one way an event enters the job's history: kept (bounded) and broadcast. Callers
   * stamp it where they build it: copying each event to add the time cost the scheduler
   * a measurable share of its time with a million tasks.
   */
  private record(event: JobEventRecord): void {
    this.history.push(event);
    // Trim in batches so a long job does not pay a shift of the whole array per event.
    if (this.history.length >= 2 * MAX_EVENTS) this.history.splice(0, this.history.length - MAX_EVENTS);
    for (const l of this.listeners) l(event);
  }

  /** Moves a task to a new state, keeping the done counts right. */
  setTaskState(task: Task, to: TaskState): void {
    const from = task.state;
    assertTaskTransition(`${this.id}/${task.id}`, from, to);
    const delta = to === 'succeeded' ? 1 : from === 'succeeded' ? -1 : 0;
    if (task.kind === 'map') this.mapsSucceeded += delta;
    else this.reducesSucceeded += delta;
    this.table(task.kind).setState(task.index, to);
  }

  /** Puts a task back to pending so it runs again; its committed counters are taken back. */
  requeue(task: Task): void {
    if (task.state === 'pending') return;
    this.uncommitCounters(task);
    this.setTaskState(task, 'pending');
    this.table(task.kind).speculated[task.index] = 0;
  }

  /** Starts the task's next attempt on a worker (a backup one when `speculative`). */
  startAttempt(task: Task, workerId: string, startedAt: number, speculative: boolean): Attempt {
    const table = this.table(task.kind);
    const n = table.nextAttempt[task.index] as number;
    table.nextAttempt[task.index] = n + 1;
    const attempt: Attempt = { n, workerId, startedAt, speculative };
    if (task.state === 'pending') this.setTaskState(task, 'running');
    if (task.kind === 'map') this.localityWaits.delete(task.index);
    table.attempts(task.index).set(n, attempt);
    if (speculative) {
      table.speculated[task.index] = 1;
      this.speculativeCount++;
    }
    this.record({ time: Date.now(), kind: 'task-started', taskId: task.id, attempt: n, workerId, speculative });
    return attempt;
  }

  /** Forgets one running attempt of a task (its outcome came in). */
  endAttempt(task: Task, n: number): void {
    this.table(task.kind).endAttempt(task.index, n);
  }

  /** Forgets every running attempt of a task. */
  clearAttempts(task: Task): void {
    this.table(task.kind).clearAttempts(task.index);
  }

  /** An attempt was running on a worker that was lost: it is forgotten (not a failure). */
  loseAttempt(task: Task, attempt: Attempt): void {
    this.endAttempt(task, attempt.n);
    this.record({
      time: Date.now(),
      kind: 'attempt-lost',
      taskId: task.id,
      attempt: attempt.n,
      workerId: attempt.workerId,
    });
  }

  /** The master stopped an attempt: it is forgotten. */
  cancelAttempt(task: Task, attempt: Attempt, reason: string): void {
    this.endAttempt(task, attempt.n);
    const { n, workerId } = attempt;
    this.record({ time: Date.now(), kind: 'attempt-cancelled', taskId: task.id, attempt: n, workerId, reason });
  }

  /**
   * Commits a succeeded attempt (already ended): its output becomes the task's, served
   * from `dataAddress`, its counters count, and the task succeeds.
   */
  commit(
    task: Task,
    attempt: Attempt,
    dataAddress: string,
    output: CommittedOutput,
    counters: Readonly<Record<string, number>>,
    stats: AttemptStats,
  ): void {
    const { n, workerId, speculative } = attempt;
    if ('offsets' in output) this.setMapOutput(task, workerId, dataAddress, n, output.offsets);
    else this.setPartFile(task, workerId, dataAddress, n, output.records, output.bytes);
    this.recordDuration(task.kind, Date.now() - attempt.startedAt);
    this.setTaskState(task, 'succeeded');
    this.commitCounters(task, counters);
    this.record({
      time: Date.now(),
      kind: 'task-succeeded',
      taskId: task.id,
      attempt: n,
      workerId,
      speculative,
      stats,
    });
  }

  /**
   * Charges a failed attempt (already ended) to its task and its worker; past
   * `blacklistAfter` failures here the worker gets no more of the job's tasks. Returns
   * the task's failures so far.
   */
  failAttempt(task: Task, attempt: Attempt, error: string, errorDetail: string, blacklistAfter: number): number {
    const table = this.table(task.kind);
    const failures = (table.failures[task.index] as number) + 1;
    table.failures[task.index] = failures;
    this.failedCount++;
    table.setError(task.index, error, errorDetail);
    this.markFailedOn(task, attempt.workerId);
    const onWorker = (this.failuresByWorker.get(attempt.workerId) ?? 0) + 1;
    this.failuresByWorker.set(attempt.workerId, onWorker);
    const { n, workerId } = attempt;
    const { maxAttempts } = this.spec;
    const time = Date.now();
    const place = placeOf(task);
    this.record({
      time,
      kind: 'task-failed',
      taskId: task.id,
      place,
      attempt: n,
      workerId,
      failures,
      maxAttempts,
      error,
    });
    if (onWorker === blacklistAfter)
      this.record({ time, kind: 'worker-blacklisted', workerId, failures: blacklistAfter });
    return failures;
  }

  /** A reduce attempt (already ended) could not fetch these maps' outputs. */
  fetchFailed(task: Task, attempt: Attempt, lostMapTasks: readonly string[], error: string): void {
    const { n, workerId } = attempt;
    this.record({ time: Date.now(), kind: 'fetch-failed', taskId: task.id, attempt: n, workerId, lostMapTasks, error });
  }

  /** Marks a worker as one where the task failed: a retry prefers another. */
  markFailedOn(task: Task, workerId: string): void {
    this.table(task.kind).failedOn(task.index).add(workerId);
  }

  /** Reducers could not fetch a map's output: its worker is blamed, the output forgotten. Returns where it was. */
  unfetchable(map: Task): MapOutputRef | undefined {
    const output = this.mapOutput(map);
    if (output) this.markFailedOn(map, output.workerId);
    this.dropOutput(map);
    return output;
  }

  /** A task's committed output was on a worker that was lost: it is forgotten. */
  loseOutput(task: Task, workerId: string): void {
    this.record({ time: Date.now(), kind: 'output-lost', taskId: task.id, workerId });
    this.dropOutput(task);
  }

  /** Counts one more loss of a task's output (or, for a reduce, of its input); returns the count. */
  countLoss(task: Task): number {
    const losses = this.table(task.kind).losses;
    const n = (losses[task.index] as number) + 1;
    losses[task.index] = n;
    return n;
  }

  /** Adds a winning attempt's duration to the sample stragglers are judged by. */
  recordDuration(kind: 'map' | 'reduce', ms: number): void {
    const sample = this.durationSample[kind];
    sample.push(ms);
    if (sample.length >= 2 * DURATION_SAMPLE) sample.splice(0, sample.length - DURATION_SAMPLE);
  }

  /** Keeps a pending task from starting before `until` (retry backoff). */
  holdBack(task: Task, until: number): void {
    const table = this.table(task.kind);
    table.setNotBefore(task.index, until);
    table.heldBack.add(task.index);
  }

  /** Ends the job as failed because of one task, which is not to run again. */
  failBecauseOf(task: Task, error: string, errorDetail = ''): void {
    if (task.state !== 'failed' && task.state !== 'succeeded') this.setTaskState(task, 'failed');
    this.finish('failed', error, errorDetail);
  }

  /** Ends the job (`at`: when, for a job rebuilt from the journal). */
  finish(to: Exclude<JobState, 'running'>, error = '', errorDetail = '', at = Date.now()): void {
    assertJobTransition(this.id, this.jobState, to);
    this.jobState = to;
    this.jobError = error;
    this.jobErrorDetail = errorDetail;
    this.finishTime = at;
    this.record({ time: this.finishTime, ...endEvent(to, error, errorDetail) });
  }

  /** Records where a map's committed attempt wrote its output: on `workerId` at `dataAddress`, R + 1 partition offsets. */
  setMapOutput(task: Task, workerId: string, dataAddress: string, attempt: number, offsets: ArrayLike<number>): void {
    if (task.kind !== 'map') throw new Error(`${task.id} is not a map`);
    this.mapOutputTable.set(task.index, this.hostTable.intern(workerId, dataAddress), attempt, offsets);
  }

  /** Records where a reduce's committed attempt wrote its part file. */
  setPartFile(
    task: Task,
    workerId: string,
    dataAddress: string,
    attempt: number,
    records: number,
    bytes: number,
  ): void {
    if (task.kind !== this.resultKind) throw new Error(`${task.id} writes no part file`);
    this.partFileTable.set(task.index, this.hostTable.intern(workerId, dataAddress), attempt, [records, bytes]);
  }

  /** Forgets a task's output (it was lost). */
  dropOutput(task: Task): void {
    this.outputTable(task.kind).clear(task.index);
  }

  /** One kind of task's outputs: part files for the result tasks, else map outputs (never set in a map-only job). */
  private outputTable(kind: 'map' | 'reduce'): TaskOutputs {
    return kind === this.resultKind ? this.partFileTable : this.mapOutputTable;
  }

  /** A worker came back at another address: the outputs it holds are served from there now. */
  readdress(workerId: string, dataAddress: string): void {
    this.hostTable.readdress(workerId, dataAddress);
  }

  /** Where a map's output is, if it has one. */
  mapOutput(task: Task): MapOutputRef | undefined {
    if (task.kind !== 'map' || this.mapOnly || !this.mapOutputs.has(task.index)) return undefined;
    const { workerId, dataAddress } = this.hosts.get(this.mapOutputs.host(task.index));
    const attempt = this.mapOutputs.attempt(task.index);
    return {
      workerId,
      dataAddress,
      attempt,
      dir: expectedAttemptDir(this.id, task.id, attempt),
      offsets: this.mapOutputs.values(task.index),
    };
  }

  /** Where a reduce's part file is, if it has one. */
  partFile(task: Task): PartFileRef | undefined {
    if (task.kind !== this.resultKind || !this.partFiles.has(task.index)) return undefined;
    const { workerId, dataAddress } = this.hosts.get(this.partFiles.host(task.index));
    const attempt = this.partFiles.attempt(task.index);
    const [records, bytes] = this.partFiles.values(task.index) as [number, number];
    return {
      workerId,
      dataAddress,
      attempt,
      path: `${expectedAttemptDir(this.id, task.id, attempt)}/part.data`,
      records,
      bytes,
    };
  }

  /** The tasks of one kind whose output is on this worker, in index order. */
  outputsOn(kind: 'map' | 'reduce', workerId: string): Task[] {
    const hosts = new Set(this.hostTable.indicesOf(workerId));
    const table = this.table(kind);
    return this.outputTable(kind)
      .onHosts(hosts)
      .map((i) => new Task(table, i));
  }

  /**
   * Commits a task's counters to the job's. Only the committed attempt of each task counts,
   * so a task run again (its output lost) first has its old counters taken back.
   */
  commitCounters(task: Task, counters: Readonly<Record<string, number>>): void {
    this.counterTable.commit(this.slot(task), counters);
  }

  /** Takes a task's committed counters back out of the job's. */
  uncommitCounters(task: Task): void {
    this.counterTable.uncommit(this.slot(task));
  }

  /** What a task's committed attempt added to counter `name`. */
  committedCounter(task: Task, name: string): number {
    return this.counterTable.share(this.slot(task), name);
  }

  private slot(task: Task): number {
    return task.kind === 'map' ? task.index : this.maps.length + task.index;
  }
}
