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
  private readonly byKey = new Map<string, number>();

  /** The index of this host, added if new. */
  intern(workerId: string, dataAddress: string): number {
    const key = `${workerId}\n${dataAddress}`;
    let i = this.byKey.get(key);
    if (i === undefined) {
      i = this.hosts.length;
      this.hosts.push({ workerId, dataAddress });
      this.byKey.set(key, i);
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
    const out: number[] = [];
    this.hosts.forEach((h, i) => {
      if (h.workerId === workerId) out.push(i);
    });
    return out;
  }
}
