import type { RecordSource } from '../../proto/record-source.js';

const EMPTY = Buffer.alloc(0);

const INITIAL_RECORDS = 1024;

/**
 * Memory one buffered record costs besides its key and value: four 32-bit columns of
 * metadata and its 32-bit entry in a partition index. Counted against the sort buffer so
 * that many tiny records cannot blow the memory bound (Hadoop counts its 16-byte
 * accounting record the same way).
 */
export const ARENA_RECORD_OVERHEAD_BYTES = 20;

/**
 * The map side's in-memory buffer: record bytes packed into large slabs, with per-record
 * metadata in typed-array columns and one index of record ordinals per partition, so
 * buffering a record allocates no object. Slabs are recycled across spills.
 */
export class RecordArena {
  private slabs: Buffer[] = [];
  private readonly freeSlabs: Buffer[] = [];
  private current: Buffer = EMPTY;
  private currentIndex = -1;
  private currentUsed = 0;

  private count = 0;
  private slabOf = new Uint32Array(INITIAL_RECORDS);
  private offsetOf = new Uint32Array(INITIAL_RECORDS);
  private keyLengthOf = new Uint32Array(INITIAL_RECORDS);
  private valueLengthOf = new Uint32Array(INITIAL_RECORDS);

  private readonly partitionIndex: Uint32Array[];
  private readonly partitionCount: Uint32Array;

  constructor(
    partitions: number,
    /** Size of a regular slab; a record bigger than this gets a slab of its own. */
    private readonly slabBytes: number,
  ) {
    this.partitionIndex = [];
    for (let p = 0; p < partitions; p++) this.partitionIndex.push(new Uint32Array(16));
    this.partitionCount = new Uint32Array(partitions);
  }

  /** Records buffered since the last clear(). */
  get records(): number {
    return this.count;
  }

  /** Copies one record in; `partition` must already be valid. */
  add(partition: number, key: Buffer, value: Buffer): void {
    const keyLength = key.length;
    const size = keyLength + value.length;
    let slab: Buffer;
    let slabIndex: number;
    let offset: number;
    if (size > this.slabBytes) {
      slab = Buffer.allocUnsafeSlow(size);
      slabIndex = this.slabs.push(slab) - 1;
      offset = 0;
    } else {
      if (this.currentIndex < 0 || this.currentUsed + size > this.current.length) {
        this.current = this.freeSlabs.pop() ?? Buffer.allocUnsafeSlow(this.slabBytes);
        this.currentIndex = this.slabs.push(this.current) - 1;
        this.currentUsed = 0;
      }
      slab = this.current;
      slabIndex = this.currentIndex;
      offset = this.currentUsed;
      this.currentUsed += size;
    }
    slab.set(key, offset);
    slab.set(value, offset + keyLength);

    const ordinal = this.count++;
    if (ordinal === this.slabOf.length) this.growColumns();
    this.slabOf[ordinal] = slabIndex;
    this.offsetOf[ordinal] = offset;
    this.keyLengthOf[ordinal] = keyLength;
    this.valueLengthOf[ordinal] = value.length;

    let index = this.partitionIndex[partition] as Uint32Array;
    const n = this.partitionCount[partition] as number;
    if (n === index.length) {
      const grown = new Uint32Array(n * 2);
      grown.set(index);
      index = grown;
      this.partitionIndex[partition] = grown;
    }
    index[n] = ordinal;
    this.partitionCount[partition] = n + 1;
  }

  /**
   * Sorts one partition by key, equal keys in insertion order, and returns a source over it.
   * The source is only valid until the arena changes; its views point into the slabs.
   */
  sortedPartition(partition: number): RecordSource {
    const ordinals = (this.partitionIndex[partition] as Uint32Array).subarray(0, this.partitionCount[partition]);
    const slabs = this.slabs;
    const slabOf = this.slabOf;
    const offsetOf = this.offsetOf;
    const keyLengthOf = this.keyLengthOf;
    // Ranged Buffer#compare compares in place and allocates nothing; the ordinal tie-break
    // (ordinals grow with insertion) makes the order stable whatever the sort algorithm.
    ordinals.sort((a, b) => {
      const oa = offsetOf[a] as number;
      const ob = offsetOf[b] as number;
      const slabA = slabs[slabOf[a] as number] as Buffer;
      const slabB = slabs[slabOf[b] as number] as Buffer;
      const c = slabA.compare(slabB, ob, ob + (keyLengthOf[b] as number), oa, oa + (keyLengthOf[a] as number));
      return c !== 0 ? c : a - b;
    });
    return new ArenaSource(slabs, slabOf, offsetOf, keyLengthOf, this.valueLengthOf, ordinals);
  }

  /** Forgets all records, keeping regular slabs and index capacity for reuse. */
  clear(): void {
    for (const slab of this.slabs) if (slab.length === this.slabBytes) this.freeSlabs.push(slab);
    this.slabs = [];
    this.current = EMPTY;
    this.currentIndex = -1;
    this.currentUsed = 0;
    this.count = 0;
    this.partitionCount.fill(0);
  }

  /** Drops all memory: the arena is done. */
  release(): void {
    this.clear();
    this.freeSlabs.length = 0;
    this.slabOf = this.offsetOf = this.keyLengthOf = this.valueLengthOf = new Uint32Array(0);
    for (let p = 0; p < this.partitionIndex.length; p++) this.partitionIndex[p] = new Uint32Array(0);
  }

  private growColumns(): void {
    const grow = (column: Uint32Array): Uint32Array<ArrayBuffer> => {
      const grown = new Uint32Array(column.length * 2);
      grown.set(column);
      return grown;
    };
    this.slabOf = grow(this.slabOf);
    this.offsetOf = grow(this.offsetOf);
    this.keyLengthOf = grow(this.keyLengthOf);
    this.valueLengthOf = grow(this.valueLengthOf);
  }
}

/** Walks sorted ordinals, handing out views into the slabs. */
class ArenaSource implements RecordSource {
  private i = 0;
  private currentKey: Buffer = EMPTY;
  private currentValue: Buffer = EMPTY;

  constructor(
    private readonly slabs: readonly Buffer[],
    private readonly slabOf: Uint32Array,
    private readonly offsetOf: Uint32Array,
    private readonly keyLengthOf: Uint32Array,
    private readonly valueLengthOf: Uint32Array,
    private readonly ordinals: Uint32Array,
  ) {}

  get key(): Buffer {
    return this.currentKey;
  }

  get value(): Buffer {
    return this.currentValue;
  }

  next(): boolean {
    if (this.i >= this.ordinals.length) return false;
    const ordinal = this.ordinals[this.i++] as number;
    const slab = this.slabs[this.slabOf[ordinal] as number] as Buffer;
    const offset = this.offsetOf[ordinal] as number;
    const keyEnd = offset + (this.keyLengthOf[ordinal] as number);
    this.currentKey = slab.subarray(offset, keyEnd);
    this.currentValue = slab.subarray(keyEnd, keyEnd + (this.valueLengthOf[ordinal] as number));
    return true;
  }

  close(): void {
    this.i = this.ordinals.length;
  }
}
