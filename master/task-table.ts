import { mapTaskId, reduceTaskId } from '../proto/formats/index.js';
import type { InputSplit, SplitPlan } from './input-splitter.js';
import type { TaskState } from './job-state.js';

/** One running attempt of a task. */
export interface Attempt {
  readonly n: number;
  readonly workerId: string;
  readonly startedAt: number;
  /** A backup attempt started because the first one was slow. */
  readonly speculative: boolean;
}

/** What only a few tasks have at a time: those running, those that failed or wait out a backoff. */
interface TaskExtras {
  running?: Map<number, Attempt>;
  failedOn?: Set<string>;
  error?: string;
  errorDetail?: string;
  /** Not to be started again before this time (retry backoff), ms since epoch; 0: no wait. */
  notBefore: number;
}

const STATES: readonly TaskState[] = ['pending', 'running', 'succeeded', 'failed'];
const CODES: Readonly<Record<TaskState, number>> = { pending: 0, running: 1, succeeded: 2, failed: 3 };
const PENDING = CODES.pending;
const NO_ATTEMPTS: ReadonlyMap<number, Attempt> = new Map();
const NO_WORKERS: ReadonlySet<string> = new Set();
const RUNNING = CODES.running;
const SUCCEEDED = CODES.succeeded;

/**
 * The master's record of the tasks of one kind (maps or reduces) of a job, as columns:
 * a job may have a million tasks, so a task is a few bytes in typed arrays, plus an
 * entry in a sparse map while it is running or after it failed. Task ids and map
 * splits are derived from the index. Only Job writes to it (a Job hands out read-only views).
 *
 * Pending tasks are found without a set of a million entries: the tasks pending since
 * planning are scanned in index order from a cursor (they only ever leave that state),
 * then the tasks that came back to pending, in the order they came back. That is the
 * order one insertion-ordered set of pending tasks would give.
 */
export class TaskTable {
  private readonly codes: Uint8Array;
  /** The number the next attempt of each task gets; every attempt has its own directory. */
  readonly nextAttempt: Uint32Array;
  /** Failed attempts per task, counted against the job's attempt limit. */
  readonly failures: Uint32Array;
  /** 1 once a backup attempt was started for the task's current run. */
  readonly speculated: Uint8Array;
  /** Times the task's committed output was lost, plus (reduce) times it could not fetch its input; bounded in job-manager.ts. */
  readonly losses: Uint32Array;
  private readonly extras = new Map<number, TaskExtras>();
  /** Tasks running now. */
  readonly running = new Set<number>();
  /** Tasks put back to pending, in the order they came back. */
  private readonly requeued = new Set<number>();
  /** Every task pending since planning has an index at or after this. */
  private cursor = 0;
  /** Pending tasks waiting out a retry backoff (see Job.holdBack). */
  readonly heldBack = new Set<number>();

  constructor(
    readonly kind: 'map' | 'reduce',
    readonly length: number,
    /** The inputs of the maps; none for reduces. */
    private readonly splits?: SplitPlan,
  ) {
    this.codes = new Uint8Array(length);
    this.nextAttempt = new Uint32Array(length);
    this.failures = new Uint32Array(length);
    this.speculated = new Uint8Array(length);
    this.losses = new Uint32Array(length);
  }

  id(i: number): string {
    return this.kind === 'map' ? mapTaskId(i) : reduceTaskId(i);
  }

  /** A map's input split. */
  split(i: number): InputSplit | undefined {
    return this.splits?.split(i);
  }

  /** The worker holding a map's input, if its file has a location (see InputFile.location). */
  location(i: number): string | undefined {
    return this.splits?.location(i);
  }

  state(i: number): TaskState {
    return STATES[this.codes[i] as number] as TaskState;
  }

  /**
   * How many tasks are in each state, counted now (the metrics, at each scrape): one pass
   * over a byte per task, so nothing is kept up to date on the scheduling path for it.
   */
  stateCounts(): Record<TaskState, number> {
    const codes = this.codes;
    let pending = 0;
    let running = 0;
    let succeeded = 0;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i];
      if (code === PENDING) pending++;
      else if (code === RUNNING) running++;
      else if (code === SUCCEEDED) succeeded++;
    }
    return { pending, running, succeeded, failed: codes.length - pending - running - succeeded };
  }

  /** Sets a state and keeps the pending and running sets right; the caller checks the transition. */
  setState(i: number, to: TaskState): void {
    const from = this.codes[i] as number;
    if (from === PENDING) this.requeued.delete(i);
    if (from === RUNNING) this.running.delete(i);
    const code = CODES[to];
    this.codes[i] = code;
    if (code === PENDING) this.requeued.add(i);
    if (code === RUNNING) this.running.add(i);
  }

  /** Pending tasks, lazily: those pending since planning in index order, then those put back. */
  *pending(): Generator<number> {
    while (this.cursor < this.length && !this.isFresh(this.cursor)) this.cursor++;
    for (let i = this.cursor; i < this.length; i++) if (this.isFresh(i)) yield i;
    yield* this.requeued;
  }

  private isFresh(i: number): boolean {
    return this.codes[i] === PENDING && (this.requeued.size === 0 || !this.requeued.has(i));
  }

  notBefore(i: number): number {
    return this.extras.get(i)?.notBefore ?? 0;
  }

  setNotBefore(i: number, until: number): void {
    this.extrasOf(i).notBefore = until;
    this.prune(i);
  }

  /** Task i's running attempts, made on first use. */
  attempts(i: number): Map<number, Attempt> {
    return (this.extrasOf(i).running ??= new Map());
  }

  /** Task i's running attempts, to read: looking makes no record. */
  runningAttempts(i: number): ReadonlyMap<number, Attempt> {
    return this.extras.get(i)?.running ?? NO_ATTEMPTS;
  }

  runningCount(i: number): number {
    return this.extras.get(i)?.running?.size ?? 0;
  }

  /** The tasks with running attempts (a task that just failed its job may still have one). */
  withAttempts(): number[] {
    const out: number[] = [];
    for (const [i, e] of this.extras) if (e.running?.size) out.push(i);
    return out;
  }

  /** Forgets one running attempt of task i. */
  endAttempt(i: number, n: number): void {
    const e = this.extras.get(i);
    if (!e?.running) return;
    e.running.delete(n);
    if (e.running.size === 0) e.running = undefined;
    this.prune(i);
  }

  /** Forgets every running attempt of task i. */
  clearAttempts(i: number): void {
    const e = this.extras.get(i);
    if (!e) return;
    e.running = undefined;
    this.prune(i);
  }

  /** Workers where an attempt of task i failed, made on first use. */
  failedOn(i: number): Set<string> {
    return (this.extrasOf(i).failedOn ??= new Set());
  }

  /** Workers where an attempt of task i failed, to read: looking makes no record. */
  failedWorkers(i: number): ReadonlySet<string> {
    return this.extras.get(i)?.failedOn ?? NO_WORKERS;
  }

  hasFailedOn(i: number, workerId: string): boolean {
    return this.extras.get(i)?.failedOn?.has(workerId) ?? false;
  }

  failedOnCount(i: number): number {
    return this.extras.get(i)?.failedOn?.size ?? 0;
  }

  error(i: number): { error?: string; errorDetail?: string } {
    const e = this.extras.get(i);
    return { error: e?.error, errorDetail: e?.errorDetail };
  }

  setError(i: number, error: string, errorDetail: string): void {
    const e = this.extrasOf(i);
    e.error = error;
    e.errorDetail = errorDetail;
  }

  /** How many tasks have extras now (running, failed, or held back). */
  get extrasCount(): number {
    return this.extras.size;
  }

  private extrasOf(i: number): TaskExtras {
    if (!(i >= 0 && i < this.length && Number.isInteger(i)))
      throw new RangeError(`no ${this.kind} task ${i} of ${this.length}`);
    let e = this.extras.get(i);
    if (!e) {
      e = { notBefore: 0 };
      this.extras.set(i, e);
    }
    return e;
  }

  /** Drops task i's extras once they hold nothing. */
  private prune(i: number): void {
    const e = this.extras.get(i);
    if (e && !e.running && !e.failedOn && e.error === undefined && e.notBefore === 0) this.extras.delete(i);
  }
}
