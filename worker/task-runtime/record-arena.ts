import type { RecordSource } from '../../proto/record-source.js';

const EMPTY = Buffer.alloc(0);

const INITIAL_RECORDS = 1024;

/** Key bytes compared in JS before handing the rest to the native compare. */
const INLINE_COMPARE_BYTES = 16;

/** Runs this short are insertion-sorted before merging. */
const INSERTION_RUN = 16;

/**
 * Memory one buffered record costs besides its key and value: five 32-bit metadata
 * columns, its entry in a partition index and its share of the sort's scratch space.
 * Counted against the sort buffer so that many tiny records cannot blow the memory bound
 * (Hadoop counts its 16-byte accounting record the same way).
 */
export const ARENA_RECORD_OVERHEAD_BYTES = 28;

/**
 * The map side's in-memory buffer: record bytes packed into large slabs, with per-record
 * metadata in typed-array columns and one index of record ordinals per partition, so
 * buffering a record allocates no object. Slabs are recycled across spills.
 *
 * Sorting is a hand-written stable merge sort rather than TypedArray#sort, because the
 * engine cannot inline a comparator passed to the built-in and the comparator call
 * dominated the map side; a column of 4-byte key prefixes settles most comparisons
 * without touching the slabs.
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
  /** The key's first 4 bytes, big-endian, zero-padded: equal prefixes mean equal leading bytes. */
  private prefixOf = new Uint32Array(INITIAL_RECORDS);
  private scratch = new Uint32Array(0);

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
    let prefix: number;
    if (keyLength >= 4) {
      prefix = key.readUInt32BE(0);
    } else {
      prefix = 0;
      for (let i = 0; i < keyLength; i++) prefix |= (key[i] as number) << (24 - 8 * i);
    }
    this.prefixOf[ordinal] = prefix;

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
    const n = this.partitionCount[partition] as number;
    const ordinals = (this.partitionIndex[partition] as Uint32Array).subarray(0, n);
    this.sort(ordinals);
    return new ArenaSource(this.slabs, this.slabOf, this.offsetOf, this.keyLengthOf, this.valueLengthOf, ordinals);
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
    this.slabOf = this.offsetOf = this.keyLengthOf = this.valueLengthOf = this.prefixOf = this.scratch = new Uint32Array(0);
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
    this.prefixOf = grow(this.prefixOf);
  }

  /** Orders two records by key bytes (unsigned, shorter prefix first), then by ordinal, which is insertion order. */
  private compare(a: number, b: number): number {
    const pa = this.prefixOf[a] as number;
    const pb = this.prefixOf[b] as number;
    if (pa !== pb) return pa < pb ? -1 : 1;
    const la = this.keyLengthOf[a] as number;
    const lb = this.keyLengthOf[b] as number;
    const common = la < lb ? la : lb;
    if (common > 4) {
      const oa = this.offsetOf[a] as number;
      const ob = this.offsetOf[b] as number;
      const slabA = this.slabs[this.slabOf[a] as number] as Buffer;
      const slabB = this.slabs[this.slabOf[b] as number] as Buffer;
      const inline = common < INLINE_COMPARE_BYTES ? common : INLINE_COMPARE_BYTES;
      for (let i = 4; i < inline; i++) {
        const d = (slabA[oa + i] as number) - (slabB[ob + i] as number);
        if (d !== 0) return d;
      }
      if (common > INLINE_COMPARE_BYTES) {
        // Ranged Buffer#compare compares in place, allocating nothing.
        const c = slabA.compare(slabB, ob + INLINE_COMPARE_BYTES, ob + lb, oa + INLINE_COMPARE_BYTES, oa + la);
        if (c !== 0) return c;
      }
    }
    return la !== lb ? la - lb : a - b;
  }

  /** Stable bottom-up merge sort: insertion-sorted short runs, then merges between the array and scratch. */
  private sort(ordinals: Uint32Array): void {
    const n = ordinals.length;
    for (let lo = 0; lo < n; lo += INSERTION_RUN) {
      const hi = Math.min(lo + INSERTION_RUN, n);
      for (let i = lo + 1; i < hi; i++) {
        const x = ordinals[i] as number;
        let j = i - 1;
        while (j >= lo && this.compare(ordinals[j] as number, x) > 0) {
          ordinals[j + 1] = ordinals[j] as number;
          j--;
        }
        ordinals[j + 1] = x;
      }
    }
    if (n <= INSERTION_RUN) return;
    if (this.scratch.length < n) this.scratch = new Uint32Array(Math.max(n, this.scratch.length * 2));
    let src: Uint32Array = ordinals;
    let dst: Uint32Array = this.scratch.subarray(0, n);
    for (let width = INSERTION_RUN; width < n; width *= 2) {
      for (let lo = 0; lo < n; lo += 2 * width) {
        const mid = Math.min(lo + width, n);
        const hi = Math.min(lo + 2 * width, n);
        this.merge(src, dst, lo, mid, hi);
      }
      const t = src;
      src = dst;
      dst = t;
    }
    if (src !== ordinals) ordinals.set(src);
  }

  private merge(src: Uint32Array, dst: Uint32Array, lo: number, mid: number, hi: number): void {
    // Already in order (common with presorted or few distinct keys): copy.
    if (mid >= hi || this.compare(src[mid - 1] as number, src[mid] as number) < 0) {
      dst.set(src.subarray(lo, hi), lo);
      return;
    }
    let i = lo;
    let j = mid;
    let k = lo;
    while (i < mid && j < hi) {
      const x = src[i] as number;
      const y = src[j] as number;
      if (this.compare(y, x) < 0) {
        dst[k++] = y;
        j++;
      } else {
        dst[k++] = x;
        i++;
      }
    }
    while (i < mid) dst[k++] = src[i++] as number;
    while (j < hi) dst[k++] = src[j++] as number;
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
