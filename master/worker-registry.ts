import type { MasterMessage } from '../proto/wire/generated/groove/MasterMessage';
import type { EncodedMasterMessage } from '../proto/wire/index.js';
import { IllegalTransitionError } from './illegal-transition-error.js';

/**
 * Lifecycle of a worker as the master sees it:
 *   alive -> draining -> lost;  alive -> lost;  expected -> lost
 * A draining worker still serves its outputs but gets no new tasks. A lost worker never
 * comes back as such: a worker that registers again gets a fresh entry. An expected
 * worker is one a restarted master's journal says holds outputs, not registered yet: it
 * gets no tasks, its outputs count until it registers (it keeps them) or its grace ends
 * without it (then it is lost, and they are made again).
 */
export type WorkerState = 'alive' | 'draining' | 'expected' | 'lost';

const WORKER_TRANSITIONS: Readonly<Record<WorkerState, readonly WorkerState[]>> = {
  alive: ['draining', 'lost'],
  draining: ['lost'],
  expected: ['lost'],
  lost: [],
};

/** Checks a transition of worker `workerId`; an illegal one is a bug in the master. */
export function assertWorkerTransition(workerId: string, from: WorkerState, to: WorkerState): void {
  if (!WORKER_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError('worker', workerId, from, to);
}

/** What a worker tells the master when it registers, and how its session reaches it. */
export interface WorkerRegistration {
  readonly id: string;
  readonly dataAddress: string;
  readonly slots: number;
  readonly hostname: string;
  /** Sends a message down the worker's session. */
  readonly send: (message: MasterMessage | EncodedMasterMessage) => void;
  /** Ends the worker's session (it will be treated as lost). */
  readonly disconnect: (why: string) => void;
}

/** One worker daemon known to the master. Read-only: only the WorkerRegistry changes it. */
export interface WorkerEntry extends WorkerRegistration {
  readonly state: WorkerState;
  /** When the worker last sent anything, ms since epoch. */
  readonly lastSeen: number;
  /** Keys (`job/task/attempt`) of the attempts running there. */
  readonly running: ReadonlySet<string>;
  /** Its host's 1-minute load average, from its last heartbeat (0 until one came). */
  readonly loadAverage: number;
}

/** The registry's own, writable record behind a WorkerEntry. */
class WorkerRecord implements WorkerEntry {
  readonly id: string;
  readonly dataAddress: string;
  readonly slots: number;
  readonly hostname: string;
  readonly send: (message: MasterMessage | EncodedMasterMessage) => void;
  readonly disconnect: (why: string) => void;
  state: WorkerState = 'alive';
  lastSeen = Date.now();
  readonly running = new Set<string>();
  loadAverage = 0;

  constructor(
    r: WorkerRegistration,
    /** The registry that made it: the only one that may change it. */
    readonly owner: WorkerRegistry,
  ) {
    this.id = r.id;
    this.dataAddress = r.dataAddress;
    this.slots = r.slots;
    this.hostname = r.hostname;
    this.send = r.send;
    this.disconnect = r.disconnect;
  }
}

/**
 * The workers of the cluster, including lost ones (they stay listed for `mr workers`).
 * It is the only writer of worker entries: states move only along the lifecycle above.
 */
export class WorkerRegistry {
  private readonly workers = new Map<string, WorkerRecord>();

  /**
   * Adds a worker, alive, seen now. A worker that registers again gets a fresh entry; its
   * previous one must be lost by then (its attempts and outputs were written off).
   */
  register(r: WorkerRegistration): WorkerEntry {
    const previous = this.workers.get(r.id);
    if (previous && previous.state !== 'lost' && previous.state !== 'expected')
      throw new Error(`worker ${r.id} registered again while ${previous.state}`);
    const record = new WorkerRecord(r, this);
    this.workers.set(record.id, record);
    return record;
  }

  /**
   * Adds a worker the journal says holds outputs, not registered yet (see WorkerState),
   * as if seen `graceMs` from now: the heartbeat monitor calls `lost` once it is late by
   * its worker timeout after that.
   */
  expect(id: string, dataAddress: string, graceMs: number, lost: (entry: WorkerEntry) => void): WorkerEntry {
    if (this.workers.has(id)) throw new Error(`worker ${id} is known already`);
    let entry: WorkerRecord | undefined = undefined;
    const registration = { id, dataAddress, slots: 0, hostname: '', send: () => undefined };
    entry = new WorkerRecord({ ...registration, disconnect: () => lost(entry as WorkerRecord) }, this);
    entry.state = 'expected';
    entry.lastSeen = Date.now() + graceMs;
    this.workers.set(id, entry);
    return entry;
  }

  get(id: string): WorkerEntry | undefined {
    return this.workers.get(id);
  }

  /** Workers that can take tasks. */
  alive(): WorkerEntry[] {
    return [...this.workers.values()].filter((w) => w.state === 'alive');
  }

  /** Workers with a session: alive or draining. */
  connected(): WorkerEntry[] {
    return [...this.workers.values()].filter((w) => w.state !== 'lost');
  }

  all(): WorkerEntry[] {
    return [...this.workers.values()];
  }

  /** The worker sent something: it is still there. */
  touch(worker: WorkerEntry, now = Date.now()): void {
    this.own(worker).lastSeen = now;
  }

  /** The worker's heartbeat said how loaded its host is. */
  reportLoad(worker: WorkerEntry, loadAverage: number): void {
    this.own(worker).loadAverage = Number.isFinite(loadAverage) ? loadAverage : 0;
  }

  /** The worker asked to drain; true when it was alive (asking again changes nothing). */
  drain(worker: WorkerEntry): boolean {
    const w = this.own(worker);
    if (w.state !== 'alive') return false;
    this.move(w, 'draining');
    return true;
  }

  /** The worker is gone: its session ended or its heartbeats stopped. Nothing runs there any more. */
  markLost(worker: WorkerEntry): void {
    const w = this.own(worker);
    this.move(w, 'lost');
    w.running.clear();
  }

  /** An attempt (`job/task/attempt`) was sent to the worker. */
  attemptStarted(worker: WorkerEntry, key: string): void {
    this.own(worker).running.add(key);
  }

  /** An attempt ended on the worker, or was cancelled there. */
  attemptEnded(worker: WorkerEntry, key: string): void {
    this.own(worker).running.delete(key);
  }

  private move(w: WorkerRecord, to: WorkerState): void {
    assertWorkerTransition(w.id, w.state, to);
    w.state = to;
  }

  /** The writable record behind an entry this registry made (current or replaced: a replaced one may still report). */
  private own(worker: WorkerEntry): WorkerRecord {
    const mine = worker instanceof WorkerRecord && worker.owner === this;
    if (!mine) throw new Error(`worker ${worker.id} is not an entry of this registry`);
    return worker;
  }
}
