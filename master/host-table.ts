/** A worker as a holder of task outputs: its id and where it serves data. */
export interface Host {
  readonly workerId: string;
  readonly dataAddress: string;
}

/**
 * The workers that hold a job's outputs, each stored once and referred to by a small
 * index, so a million output references cost a number each rather than two strings.
 * A worker that comes back with another data address is another host: outputs written
 * before are still where the old address says.
 */
export class HostTable {
  private readonly hosts: Host[] = [];
  /** workerId -> dataAddress -> index: looked up on every committed task, without building a key string. */
  private readonly byWorker = new Map<string, Map<string, number>>();

  /** The index of this host, added if new. */
  intern(workerId: string, dataAddress: string): number {
    let byAddress = this.byWorker.get(workerId);
    if (!byAddress) {
      byAddress = new Map();
      this.byWorker.set(workerId, byAddress);
    }
    let i = byAddress.get(dataAddress);
    if (i === undefined) {
      i = this.hosts.length;
      this.hosts.push({ workerId, dataAddress });
      byAddress.set(dataAddress, i);
    }
    return i;
  }

  get(index: number): Host {
    const h = this.hosts[index];
    if (!h) throw new RangeError(`no host ${index}`);
    return h;
  }

  /** The indices of every host with this worker id (none if it never held an output). */
  indicesOf(workerId: string): number[] {
    return [...(this.byWorker.get(workerId)?.values() ?? [])];
  }
}
