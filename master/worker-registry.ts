import type { MasterMessage } from '../proto/wire/generated/groove/MasterMessage';
import type { EncodedMasterMessage } from '../proto/wire/index.js';

/**
 * Lifecycle of a worker as the master sees it:
 *   alive -> draining -> lost;  alive -> lost
 * A draining worker still serves its outputs but gets no new tasks.
 */
export type WorkerState = 'alive' | 'draining' | 'lost';

/** One worker daemon known to the master. */
export interface WorkerEntry {
  readonly id: string;
  readonly dataAddress: string;
  readonly slots: number;
  readonly hostname: string;
  state: WorkerState;
  lastSeen: number;
  /** Keys (`job/task/attempt`) of the attempts running there. */
  readonly running: Set<string>;
  /** Sends a message down the worker's session. */
  readonly send: (message: MasterMessage | EncodedMasterMessage) => void;
  /** Ends the worker's session (it will be treated as lost). */
  readonly disconnect: (why: string) => void;
}

/** The workers of the cluster, including lost ones (they stay listed for `mr workers`). */
export class WorkerRegistry {
  private readonly workers = new Map<string, WorkerEntry>();

  /** Adds or replaces a worker (a worker that reconnects gets a fresh entry). */
  add(entry: WorkerEntry): void {
    this.workers.set(entry.id, entry);
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
}
