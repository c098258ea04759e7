import type { InputSplit } from './input-splitter.js';
import { assertJobTransition, assertTaskTransition, isTerminal } from './job-state.js';
import type { JobState, TaskState } from './job-state.js';

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
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
}

/** One running attempt of a task. */
export interface Attempt {
  readonly n: number;
  readonly workerId: string;
  readonly startedAt: number;
  /** A backup attempt started because the first one was slow. */
  readonly speculative: boolean;
}

/**
 * The master's record of one task. A job may have a million of them, so a task keeps
 * little: the attempt map and the failed-on set exist only while needed, and committed
 * counters are a packed array.
 */
export class Task {
  state: TaskState = 'pending';
  /** The number the next attempt gets; every attempt has its own number and directory. */
  nextAttempt = 0;
  /** Failed attempts, counted against the job's attempt limit. */
  failures = 0;
  /** Not to be started again before this time (retry backoff), ms since epoch. */
  notBefore = 0;
  /** True once a backup attempt was started for the current run. */
  speculated = false;
  mapOutput?: MapOutputRef;
  partFile?: PartFileRef;
  /** How long the winning attempt took, ms. */
  duration?: number;
  error?: string;
  errorDetail?: string;
  /** The committed attempt's counters, aligned with the job's counter names; taken back if its output is lost. */
  committedCounters?: Float64Array;
  private runningAttempts?: Map<number, Attempt>;
  private failedOnWorkers?: Set<string>;

  constructor(
    readonly kind: 'map' | 'reduce',
    readonly id: string,
    /** Map: split index; reduce: partition. */
    readonly index: number,
    readonly split?: InputSplit,
  ) {}

  /** Attempts running now (two when a backup attempt races the first); made on first use. */
  get running(): Map<number, Attempt> {
    return (this.runningAttempts ??= new Map());
  }

  /** How many attempts run now, without making the map. */
  get runningCount(): number {
    return this.runningAttempts?.size ?? 0;
  }

  /** Forgets the running attempts (and the map that held them). */
  clearRunning(): void {
    this.runningAttempts = undefined;
  }

  /** Workers where an attempt failed: a retry prefers another one. Made on first use. */
  get failedOn(): Set<string> {
    return (this.failedOnWorkers ??= new Set());
  }

  /** Whether an attempt failed on this worker, without making the set. */
  hasFailedOn(workerId: string): boolean {
    return this.failedOnWorkers?.has(workerId) ?? false;
  }

  /** How many workers an attempt failed on, without making the set. */
  get failedOnCount(): number {
    return this.failedOnWorkers?.size ?? 0;
  }
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

/** A fresh pending task. */
export function newTask(kind: 'map' | 'reduce', id: string, index: number, split?: InputSplit): Task {
  return new Task(kind, id, index, split);
}

/**
 * A job and its tasks. All state changes go through its methods so the lifecycle rules
 * and the listeners (watchers, status page) see every change.
 */
export class Job {
  state: JobState = 'running';
  error = '';
  errorDetail = '';
  readonly submittedAt = Date.now();
  finishedAt = 0;
  readonly counters: Record<string, number> = Object.create(null) as Record<string, number>;
  /** Counter names in first-seen order: the layout of every task's packed counters. */
  private readonly counterNames: string[] = [];
  private readonly counterIndex = new Map<string, number>();
  readonly events: JobEventRecord[] = [];
  /** Failed attempts per worker, for the per-job blacklist. */
  readonly workerFailures = new Map<string, number>();
  failedAttempts = 0;
  speculativeAttempts = 0;
  mapsDone = 0;
  reducesDone = 0;
  /**
   * Tasks by state, kept by setTaskState, so the scheduler touches only what can move
   * (a job may have a million tasks; a scheduling pass must not walk them all).
   */
  readonly pendingTasks: Readonly<Record<'map' | 'reduce', Set<Task>>> = { map: new Set(), reduce: new Set() };
  readonly runningTasks = new Set<Task>();
  /** Pending tasks waiting out a retry backoff (see holdBack). */
  readonly heldBack = new Set<Task>();
  /** Recent winning-attempt durations per kind, ms (a bounded sample). */
  readonly durations: Readonly<Record<'map' | 'reduce', number[]>> = { map: [], reduce: [] };
  private readonly listeners = new Set<(event: JobEventRecord) => void>();

  constructor(
    readonly spec: JobSpec,
    readonly maps: readonly Task[],
    readonly reduces: readonly Task[],
  ) {
    for (const t of maps) if (t.state === 'pending') this.pendingTasks.map.add(t);
    for (const t of reduces) if (t.state === 'pending') this.pendingTasks.reduce.add(t);
  }

  get id(): string {
    return this.spec.id;
  }

  get finished(): boolean {
    return isTerminal(this.state);
  }

  /** Every task, maps first. */
  tasks(): Task[] {
    return [...this.maps, ...this.reduces];
  }

  task(id: string): Task | undefined {
    const m = /^(map|reduce)-(\d+)$/.exec(id);
    if (!m) return undefined;
    const list = m[1] === 'map' ? this.maps : this.reduces;
    const t = list[Number(m[2])];
    return t?.id === id ? t : undefined;
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
    assertTaskTransition(task.state, to);
    const delta = to === 'succeeded' ? 1 : task.state === 'succeeded' ? -1 : 0;
    if (task.kind === 'map') this.mapsDone += delta;
    else this.reducesDone += delta;
    if (task.state === 'pending') this.pendingTasks[task.kind].delete(task);
    if (task.state === 'running') this.runningTasks.delete(task);
    task.state = to;
    if (to === 'pending') this.pendingTasks[task.kind].add(task);
    if (to === 'running') this.runningTasks.add(task);
    if (to === 'succeeded' && task.duration !== undefined) {
      const sample = this.durations[task.kind];
      sample.push(task.duration);
      if (sample.length >= 2 * DURATION_SAMPLE) sample.splice(0, sample.length - DURATION_SAMPLE);
    }
  }

  /** Keeps a pending task from starting before `until` (retry backoff). */
  holdBack(task: Task, until: number): void {
    task.notBefore = until;
    this.heldBack.add(task);
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

  /**
   * Commits a task's counters to the job's. Only the committed attempt of each task counts,
   * so a task run again (its output lost) first has its old counters taken back.
   */
  commitCounters(task: Task, counters: Readonly<Record<string, number>>): void {
    this.uncommitCounters(task);
    for (const name of Object.keys(counters)) {
      if (!this.counterIndex.has(name)) {
        this.counterIndex.set(name, this.counterNames.length);
        this.counterNames.push(name);
      }
    }
    const packed = new Float64Array(this.counterNames.length);
    for (const [name, value] of Object.entries(counters)) {
      const i = this.counterIndex.get(name) as number;
      packed[i] = (packed[i] ?? 0) + value;
      this.counters[name] = (this.counters[name] ?? 0) + value;
    }
    task.committedCounters = packed;
  }

  /** Takes a task's committed counters back out of the job's. */
  uncommitCounters(task: Task): void {
    const old = task.committedCounters;
    if (!old) return;
    task.committedCounters = undefined;
    old.forEach((value, i) => {
      const name = this.counterNames[i] as string;
      if (value !== 0) this.counters[name] = (this.counters[name] ?? 0) - value;
    });
  }
}
