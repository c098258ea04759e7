import type { ResultFormat } from '../proto/formats/index.js';
import { expectedAttemptDir } from './attempt-dir.js';
import { CounterTable } from './counter-table.js';
import { HostTable } from './host-table.js';
import type { SplitPlan } from './input-splitter.js';
import { assertJobTransition, assertTaskTransition, isTerminal } from './job-state.js';
import type { JobState, TaskState } from './job-state.js';
import { Task } from './task.js';
import { TaskOutputs } from './task-outputs.js';
import { TaskTable } from './task-table.js';

/** Where a finished map task's output lives. */
export interface MapOutputRef {
  readonly workerId: string;
  readonly dataAddress: string;
  /** The committed attempt: its directory is jobs/<job>/<task>-a<attempt>. */
  readonly attempt: number;
  readonly dir: string;
  readonly offsets: readonly number[];
}

/** Where a finished reduce task's part file lives. */
export interface PartFileRef {
  readonly workerId: string;
  readonly dataAddress: string;
  /** The committed attempt. */
  readonly attempt: number;
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
}

/** What the master holds about one submitted job. */
export interface JobSpec {
  readonly id: string;
  readonly name: string;
  readonly packHash: string;
  readonly inputs: readonly string[];
  readonly partitions: number;
  readonly params: Readonly<Record<string, string>>;
  readonly sortBufferBytes: number;
  /** Attempts a task may fail before the job fails. */
  readonly maxAttempts: number;
  /** Whether slow tasks get backup attempts. */
  readonly speculation: boolean;
  /** The format reducers also write their part as result lines in; none when absent. */
  readonly resultFormat?: ResultFormat;
  /** With a resultFormat: the reducers write the result lines only, no part files. */
  readonly resultLinesOnly?: boolean;
}

/** One line of a job's history, as `mr events` shows it. */
export interface JobEventRecord {
  readonly time: number;
  readonly type: string;
  readonly message: string;
}

/** The most events a job keeps; older ones are dropped (the counts in the status stay exact). */
const MAX_EVENTS = 10_000;
/** How many recent winning-attempt durations per kind are kept to judge stragglers. */
const DURATION_SAMPLE = 1024;

/**
 * A job and its tasks. All state changes go through its methods so the lifecycle rules
 * and the listeners (watchers, status page) see every change.
 *
 * Tasks live in columns (TaskTable, TaskOutputs, CounterTable) rather than one object
 * each: a job may have a million tasks, and the master must hold them in far less than
 * a GiB. `Task` objects are views made on demand.
 */
export class Job {
  state: JobState = 'running';
  error = '';
  errorDetail = '';
  readonly submittedAt = Date.now();
  finishedAt = 0;
  readonly maps: TaskTable;
  readonly reduces: TaskTable;
  /** Workers holding this job's outputs. */
  readonly hosts = new HostTable();
  /** Map outputs: R + 1 partition offsets each. */
  readonly mapOutputs: TaskOutputs;
  /** Part files: records and bytes each. */
  readonly partFiles: TaskOutputs;
  private readonly counterTable: CounterTable;
  readonly events: JobEventRecord[] = [];
  /** Failed attempts per worker, for the per-job blacklist. */
  readonly workerFailures = new Map<string, number>();
  failedAttempts = 0;
  speculativeAttempts = 0;
  mapsDone = 0;
  reducesDone = 0;
  /** Recent winning-attempt durations per kind, ms (a bounded sample). */
  readonly durations: Readonly<Record<'map' | 'reduce', number[]>> = { map: [], reduce: [] };
  private readonly listeners = new Set<(event: JobEventRecord) => void>();

  /** A job with one pending map per split and one pending reduce per partition. */
  constructor(
    readonly spec: JobSpec,
    splits: SplitPlan,
  ) {
    this.maps = new TaskTable('map', splits.count, splits);
    this.reduces = new TaskTable('reduce', spec.partitions);
    this.mapOutputs = new TaskOutputs(this.maps.length, spec.partitions + 1);
    this.partFiles = new TaskOutputs(this.reduces.length, 2);
    this.counterTable = new CounterTable(this.maps.length + this.reduces.length);
  }

  get id(): string {
    return this.spec.id;
  }

  get finished(): boolean {
    return isTerminal(this.state);
  }

  /** The job's counters: every task's committed attempt, summed. */
  get counters(): Readonly<Record<string, number>> {
    return this.counterTable.totals;
  }

  /** Map task `index`. */
  map(index: number): Task {
    return this.taskAt(this.maps, index);
  }

  /** Reduce task of partition `p`. */
  reduce(p: number): Task {
    return this.taskAt(this.reduces, p);
  }

  private taskAt(table: TaskTable, index: number): Task {
    if (!(Number.isInteger(index) && index >= 0 && index < table.length)) throw new RangeError(`no ${table.kind} task ${index} of ${table.length}`);
    return new Task(table, index);
  }

  private table(kind: 'map' | 'reduce'): TaskTable {
    return kind === 'map' ? this.maps : this.reduces;
  }

  /** The task with this id (`map-00007`, `reduce-00001`), if the job has it. */
  task(id: string): Task | undefined {
    const m = /^(map|reduce)-(\d+)$/.exec(id);
    if (!m) return undefined;
    const table = m[1] === 'map' ? this.maps : this.reduces;
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
    for (const table of [this.maps, this.reduces]) for (const i of table.running) out.push(new Task(table, i));
    return out;
  }

  /** The tasks with running attempts, maps first: the running ones, and one whose failure just ended the job. */
  tasksWithAttempts(): Task[] {
    const out: Task[] = [];
    for (const table of [this.maps, this.reduces]) for (const i of table.withAttempts()) out.push(new Task(table, i));
    return out;
  }

  /** How many tasks run now. */
  get runningCount(): number {
    return this.maps.running.size + this.reduces.running.size;
  }

  /** Pending tasks waiting out a retry backoff, lazily (see holdBack). */
  *heldBack(): Generator<Task> {
    for (const table of [this.maps, this.reduces]) for (const i of table.heldBack) yield new Task(table, i);
  }

  /** Stops tracking a task as held back (it started, or its wait is over). */
  releaseHeldBack(task: Task): void {
    this.table(task.kind).heldBack.delete(task.index);
  }

  /** Subscribes to the job's events; returns the unsubscribe function. */
  subscribe(listener: (event: JobEventRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records and broadcasts an event. */
  emit(type: string, message: string): void {
    const event = { time: Date.now(), type, message };
    this.events.push(event);
    // Trim in batches so a long job does not pay a shift of the whole array per event.
    if (this.events.length >= 2 * MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    for (const l of this.listeners) l(event);
  }

  /** Moves a task to a new state, keeping the done counts right. */
  setTaskState(task: Task, to: TaskState): void {
    const from = task.state;
    assertTaskTransition(from, to);
    const delta = to === 'succeeded' ? 1 : from === 'succeeded' ? -1 : 0;
    if (task.kind === 'map') this.mapsDone += delta;
    else this.reducesDone += delta;
    this.table(task.kind).setState(task.index, to);
  }

  /** Adds a winning attempt's duration to the sample stragglers are judged by. */
  recordDuration(kind: 'map' | 'reduce', ms: number): void {
    const sample = this.durations[kind];
    sample.push(ms);
    if (sample.length >= 2 * DURATION_SAMPLE) sample.splice(0, sample.length - DURATION_SAMPLE);
  }

  /** Keeps a pending task from starting before `until` (retry backoff). */
  holdBack(task: Task, until: number): void {
    const table = this.table(task.kind);
    table.setNotBefore(task.index, until);
    table.heldBack.add(task.index);
  }

  /** Ends the job. */
  finish(to: Exclude<JobState, 'running'>, error = '', errorDetail = ''): void {
    assertJobTransition(this.state, to);
    this.state = to;
    this.error = error;
    this.errorDetail = errorDetail;
    this.finishedAt = Date.now();
    this.emit('state', error ? `${to}: ${error}` : to);
  }

  /** Records where a map's committed attempt wrote its output: on `workerId` at `dataAddress`, R + 1 partition offsets. */
  setMapOutput(task: Task, workerId: string, dataAddress: string, attempt: number, offsets: ArrayLike<number>): void {
    if (task.kind !== 'map') throw new Error(`${task.id} is not a map`);
    this.mapOutputs.set(task.index, this.hosts.intern(workerId, dataAddress), attempt, offsets);
  }

  /** Records where a reduce's committed attempt wrote its part file. */
  setPartFile(task: Task, workerId: string, dataAddress: string, attempt: number, records: number, bytes: number): void {
    if (task.kind !== 'reduce') throw new Error(`${task.id} is not a reduce`);
    this.partFiles.set(task.index, this.hosts.intern(workerId, dataAddress), attempt, [records, bytes]);
  }

  /** Forgets a task's output (it was lost). */
  dropOutput(task: Task): void {
    (task.kind === 'map' ? this.mapOutputs : this.partFiles).clear(task.index);
  }

  /** Where a map's output is, if it has one. */
  mapOutput(task: Task): MapOutputRef | undefined {
    if (task.kind !== 'map' || !this.mapOutputs.has(task.index)) return undefined;
    const { workerId, dataAddress } = this.hosts.get(this.mapOutputs.host(task.index));
    const attempt = this.mapOutputs.attempt(task.index);
    return { workerId, dataAddress, attempt, dir: expectedAttemptDir(this.id, task.id, attempt), offsets: this.mapOutputs.values(task.index) };
  }

  /** Where a reduce's part file is, if it has one. */
  partFile(task: Task): PartFileRef | undefined {
    if (task.kind !== 'reduce' || !this.partFiles.has(task.index)) return undefined;
    const { workerId, dataAddress } = this.hosts.get(this.partFiles.host(task.index));
    const attempt = this.partFiles.attempt(task.index);
    const [records, bytes] = this.partFiles.values(task.index) as [number, number];
    return { workerId, dataAddress, attempt, path: `${expectedAttemptDir(this.id, task.id, attempt)}/part.data`, records, bytes };
  }

  /** The tasks of one kind whose output is on this worker, in index order. */
  outputsOn(kind: 'map' | 'reduce', workerId: string): Task[] {
    const hosts = new Set(this.hosts.indicesOf(workerId));
    const table = this.table(kind);
    return (kind === 'map' ? this.mapOutputs : this.partFiles).onHosts(hosts).map((i) => new Task(table, i));
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
