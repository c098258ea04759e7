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

/** The master's record of one task. */
export interface Task {
  readonly id: string;
  readonly kind: 'map' | 'reduce';
  /** Map: split index; reduce: partition. */
  readonly index: number;
  state: TaskState;
  /** Attempts started so far; the running attempt's number is `attempts` - 1. */
  attempts: number;
  workerId?: string;
  readonly split?: InputSplit;
  mapOutput?: MapOutputRef;
  partFile?: PartFileRef;
  error?: string;
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
}

/** One line of a job's history, as `mr events` shows it. */
export interface JobEventRecord {
  readonly time: number;
  readonly type: string;
  readonly message: string;
}

/** The most events a job keeps; older ones are dropped (the counts in the status stay exact). */
const MAX_EVENTS = 10_000;

/**
 * A job and its tasks. All state changes go through its methods so the lifecycle rules
 * and the listeners (watchers, status page) see every change.
 */
export class Job {
  state: JobState = 'running';
  error = '';
  readonly submittedAt = Date.now();
  finishedAt = 0;
  readonly counters: Record<string, number> = Object.create(null) as Record<string, number>;
  readonly events: JobEventRecord[] = [];
  private readonly listeners = new Set<(event: JobEventRecord) => void>();
  mapsDone = 0;
  reducesDone = 0;

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
    task.state = to;
    if (to === 'succeeded') {
      if (task.kind === 'map') this.mapsDone++;
      else this.reducesDone++;
    }
  }

  /** Ends the job. */
  finish(to: Exclude<JobState, 'running'>, error = ''): void {
    assertJobTransition(this.state, to);
    this.state = to;
    this.error = error;
    this.finishedAt = Date.now();
    this.emit('state', error ? `${to}: ${error}` : to);
  }

  /** Adds a finished task's counters to the job's. */
  addCounters(counters: Readonly<Record<string, number>>): void {
    for (const [name, value] of Object.entries(counters)) this.counters[name] = (this.counters[name] ?? 0) + value;
  }
}
