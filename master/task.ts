import type { InputSplit } from './input-splitter.js';
import type { TaskState } from './job-state.js';
import type { Attempt, TaskTable } from './task-table.js';

/**
 * A view of one task of a job: its record lives in the job's TaskTable, so a task object
 * exists only while some code looks at it. Two views of the same task are two objects:
 * compare tasks by `id`, not by identity. It only reads: its task changes only through Job's methods.
 */
export class Task {
  constructor(
    private readonly table: TaskTable,
    /** Map: split index; reduce: partition. */
    readonly index: number,
  ) {}

  get kind(): 'map' | 'reduce' {
    return this.table.kind;
  }

  get id(): string {
    return this.table.id(this.index);
  }

  /** A map's input split. */
  get split(): InputSplit | undefined {
    return this.table.split(this.index);
  }

  /** The worker holding a map's input, if it has one (locality scheduling); cheaper than `split`. */
  get location(): string | undefined {
    return this.table.location(this.index);
  }

  get state(): TaskState {
    return this.table.state(this.index);
  }

  /** The number the next attempt gets; every attempt has its own number and directory. */
  get nextAttempt(): number {
    return this.table.nextAttempt[this.index] as number;
  }

  /** Failed attempts, counted against the job's attempt limit. */
  get failures(): number {
    return this.table.failures[this.index] as number;
  }

  /** Times its committed output was lost, plus (reduce) times it could not fetch its input; bounded. */
  get losses(): number {
    return this.table.losses[this.index] as number;
  }

  /** True once a backup attempt was started for the current run. */
  get speculated(): boolean {
    return this.table.speculated[this.index] === 1;
  }

  /** Not to be started again before this time (retry backoff), ms since epoch. */
  get notBefore(): number {
    return this.table.notBefore(this.index);
  }

  /** Attempts running now (two when a backup attempt races the first). */
  get running(): ReadonlyMap<number, Attempt> {
    return this.table.runningAttempts(this.index);
  }

  /** How many attempts run now. */
  get runningCount(): number {
    return this.table.runningCount(this.index);
  }

  /** Workers where an attempt failed: a retry prefers another one. */
  get failedOn(): ReadonlySet<string> {
    return this.table.failedWorkers(this.index);
  }

  /** Whether an attempt failed on this worker. */
  hasFailedOn(workerId: string): boolean {
    return this.table.hasFailedOn(this.index, workerId);
  }

  /** How many workers an attempt failed on. */
  get failedOnCount(): number {
    return this.table.failedOnCount(this.index);
  }

  /** The last failed attempt's error, if any. */
  get error(): string | undefined {
    return this.table.error(this.index).error;
  }

  get errorDetail(): string | undefined {
    return this.table.error(this.index).errorDetail;
  }
}
