import type { InputSplit } from './input-splitter.js';
import { assertJobTransition, assertTaskTransition, isTerminal } from './job-state.js';
import type { JobState, TaskState } from './job-state.js';

/** Where a finished map task's output lives. */
export interface MapOutputRef {
  readonly workerId: string;
  readonly dataAddress: string;
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

/** The master's record of one task. */
export interface Task {
  readonly id: string;
  readonly kind: 'map' | 'reduce';
  /** Map: split index; reduce: partition. */
  readonly index: number;
  state: TaskState;
  /** The number the next attempt gets; every attempt has its own number and directory. */
  nextAttempt: number;
  /** Attempts running now (two when a backup attempt races the first). */
  readonly running: Map<number, Attempt>;
  /** Failed attempts, counted against the job's attempt limit. */
  failures: number;
  /** Not to be started again before this time (retry backoff), ms since epoch. */
  notBefore: number;
  /** Workers where an attempt failed: a retry prefers another one. */
  readonly failedOn: Set<string>;
  /** True once a backup attempt was started for the current run. */
  speculated: boolean;
  readonly split?: InputSplit;
  mapOutput?: MapOutputRef;
  partFile?: PartFileRef;
  /** How long the winning attempt took, ms. */
  duration?: number;
  /** The counters of the committed attempt, taken back out of the job's if its output is lost. */
  committedCounters?: Readonly<Record<string, number>>;
  error?: string;
  errorDetail?: string;
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

/** A fresh pending task. */
export function newTask(kind: 'map' | 'reduce', id: string, index: number, split?: InputSplit): Task {
  return { id, kind, index, state: 'pending', nextAttempt: 0, running: new Map(), failures: 0, notBefore: 0, failedOn: new Set(), speculated: false, split };
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
  readonly events: JobEventRecord[] = [];
  /** Failed attempts per worker, for the per-job blacklist. */
  readonly workerFailures = new Map<string, number>();
  failedAttempts = 0;
  speculativeAttempts = 0;
  mapsDone = 0;
  reducesDone = 0;
  private readonly listeners = new Set<(event: JobEventRecord) => void>();

  constructor(
    readonly spec: JobSpec,
    readonly maps: readonly Task[],
    readonly reduces: readonly Task[],
  ) {}

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
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    for (const l of this.listeners) l(event);
  }

  /** Moves a task to a new state, keeping the done counts right. */
  setTaskState(task: Task, to: TaskState): void {
    assertTaskTransition(task.state, to);
    const delta = to === 'succeeded' ? 1 : task.state === 'succeeded' ? -1 : 0;
    if (task.kind === 'map') this.mapsDone += delta;
    else this.reducesDone += delta;
    task.state = to;
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
    task.committedCounters = counters;
    for (const [name, value] of Object.entries(counters)) this.counters[name] = (this.counters[name] ?? 0) + value;
  }

  /** Takes a task's committed counters back out of the job's. */
  uncommitCounters(task: Task): void {
    const old = task.committedCounters;
    if (!old) return;
    task.committedCounters = undefined;
    for (const [name, value] of Object.entries(old)) this.counters[name] = (this.counters[name] ?? 0) - value;
  }
}
