/** Tasks per block of output values: blocks are made when a task in them first commits. */
const BLOCK = 4096;

/**
 * Where the committed outputs of one kind of task are, as columns: for task i, the host
 * index (see HostTable; -1 when it has no output), the committed attempt (its directory
 * is derived from it, not stored) and `stride` numbers (a map's R + 1 partition offsets,
 * a reduce's record and byte counts). A million map outputs cost a few bytes each
 * instead of an object, a directory string and an array apiece.
 */
export class TaskOutputs {
  private readonly hosts: Int32Array;
  private readonly attempts: Uint32Array;
  /** The numbers, BLOCK tasks per block, so a job with many partitions pays only for outputs that exist. */
  private readonly blocks: (Float64Array | undefined)[];

  constructor(
    readonly length: number,
    readonly stride: number,
  ) {
    this.hosts = new Int32Array(length).fill(-1);
    this.attempts = new Uint32Array(length);
    this.blocks = new Array<Float64Array | undefined>(Math.ceil(length / BLOCK));
  }

  /** Records task i's committed output. */
  set(i: number, host: number, attempt: number, values: ArrayLike<number>): void {
    this.check(i);
    if (values.length !== this.stride)
      throw new RangeError(`an output of this kind has ${this.stride} numbers, got ${values.length}`);
    const b = Math.floor(i / BLOCK);
    const block = (this.blocks[b] ??= new Float64Array(BLOCK * this.stride));
    block.set(values, (i % BLOCK) * this.stride);
    this.hosts[i] = host;
    this.attempts[i] = attempt;
  }

  /** Forgets task i's output (it was lost). */
  clear(i: number): void {
    this.check(i);
    this.hosts[i] = -1;
  }

  has(i: number): boolean {
    return this.host(i) >= 0;
  }

  /** Task i's host index, -1 without an output. */
  host(i: number): number {
    this.check(i);
    return this.hosts[i] as number;
  }

  /** Task i's committed attempt (meaningful only with an output). */
  attempt(i: number): number {
    this.check(i);
    return this.attempts[i] as number;
  }

  /** Number k of task i's output. */
  value(i: number, k: number): number {
    if (!(k >= 0 && k < this.stride)) throw new RangeError(`no number ${k} in an output of ${this.stride}`);
    this.check(i);
    return this.blocks[Math.floor(i / BLOCK)]?.[(i % BLOCK) * this.stride + k] ?? 0;
  }

  /** Task i's numbers, a copy. */
  values(i: number): number[] {
    return Array.from({ length: this.stride }, (_, k) => this.value(i, k));
  }

  /** The tasks whose output is on one of these hosts, in index order. */
  onHosts(hosts: ReadonlySet<number>): number[] {
    const out: number[] = [];
    if (hosts.size === 0) return out;
    const col = this.hosts;
    // A worker is nearly always one host: compare numbers rather than look each one up.
    if (hosts.size === 1) {
      const [only] = hosts;
      for (let i = 0; i < col.length; i++) if (col[i] === only) out.push(i);
    } else {
      for (let i = 0; i < col.length; i++) if (hosts.has(col[i] as number)) out.push(i);
    }
    return out;
  }

  private check(i: number): void {
    if (!(i >= 0 && i < this.length && Number.isInteger(i))) throw new RangeError(`no task ${i} of ${this.length}`);
  }
}
