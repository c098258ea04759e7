import type { MasterMessage } from '../proto/generated/groove/MasterMessage';

/** Lifecycle of a worker as the master sees it. */
export type WorkerState = 'alive' | 'lost';

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
  readonly send: (message: MasterMessage) => void;
}

/** The workers of the cluster, alive and lost (lost ones stay listed for `mr workers`). */
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

  all(): WorkerEntry[] {
    return [...this.workers.values()];
  }
}
