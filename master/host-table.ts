/** A worker as a holder of task outputs: its id and where it serves data now. */
export interface Host {
  readonly workerId: string;
  readonly dataAddress: string;
}

/**
 * The workers that hold a job's outputs, each stored once and referred to by a small
 * index, so a million output references cost a number each rather than two strings.
 * A worker's files live in its data dir, which its id stands for: a worker that comes
 * back with another data address (restarted with --port 0) serves the same files there,
 * so its host's address is updated rather than a new host made.
 */
export class HostTable {
  private readonly hosts: { workerId: string; dataAddress: string }[] = [];
  /** workerId -> index: looked up on every committed task. */
  private readonly byWorker = new Map<string, number>();

  /** The index of this worker's host, added if new; its address is set to `dataAddress`. */
  intern(workerId: string, dataAddress: string): number {
    let i = this.byWorker.get(workerId);
    if (i === undefined) {
      i = this.hosts.length;
      this.hosts.push({ workerId, dataAddress });
      this.byWorker.set(workerId, i);
    } else {
      (this.hosts[i] as { dataAddress: string }).dataAddress = dataAddress;
    }
    return i;
  }

  /** Points this worker's outputs, if it holds any, at its new address. */
  readdress(workerId: string, dataAddress: string): void {
    const i = this.byWorker.get(workerId);
    if (i !== undefined) (this.hosts[i] as { dataAddress: string }).dataAddress = dataAddress;
  }

  get(index: number): Host {
    const h = this.hosts[index];
    if (!h) throw new RangeError(`no host ${index}`);
    return h;
  }

  /** The indices of every host with this worker id (none if it never held an output). */
  indicesOf(workerId: string): number[] {
    const i = this.byWorker.get(workerId);
    return i === undefined ? [] : [i];
  }
}
