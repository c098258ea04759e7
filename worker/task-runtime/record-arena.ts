import { hashPartitionOfRange } from '../../proto/formats/index.js';
import type { KeyBytesPartitioner } from '../../proto/formats/index.js';
import { scalarValueRoom, writeScalarValueAt } from '../../proto/formats/index.js';
import { frameBehindReservedVarint, varintSize, writeVarint } from '../../proto/formats/index.js';
import { writeStringKeyAt } from '../../proto/formats/index.js';
import type { FramedRecordSink, RecordSource } from '../../proto/formats/index.js';
import type { RecordFileWriter } from '../../proto/formats/index.js';
import { processSlabCache } from './slab-cache.js';
import type { SlabCache } from './slab-cache.js';

const EMPTY = Buffer.alloc(0);
const EMPTY_TABLE = new Uint32Array(0);

/**
 * Words per record in a partition's entry table: key prefix (2 words: the key's first 8
 * bytes, big-endian, zero-padded), slab index, offset of the key in the slab, key length,
 * value length.
 */
const ENTRY_WORDS = 6;
const PREFIX_BYTES = 8;

/** Key bytes past the prefix compared in JS before handing the rest to the native compare. */
const INLINE_COMPARE_BYTES = 24;

/**
 * Partitions with at least this many records are radix-sorted by key prefix first: below
 * it, clearing and summing the radix buckets costs more than the comparisons saved.
 */
const RADIX_MIN_RECORDS = 4096;
/** The prefix's 64 bits as four 16-bit digits. */
const RADIX_DIGITS = 4;
const RADIX_BUCKETS = 1 << 16;

/** Keys and values up to this long are copied by a loop: cheaper than a native call. */
const INLINE_COPY_BYTES = 16;

/** Runs this short are insertion-sorted before merging. */
const INSERTION_RUN = 16;

/**
 * Memory one buffered record costs besides its key and value: its 24-byte entry, plus the
 * sort's permutation and scratch words. Counted against the sort buffer so that many tiny
 * records cannot blow the memory bound (Hadoop counts its 16-byte accounting record the
 * same way).
 */
export const ARENA_RECORD_OVERHEAD_BYTES = ENTRY_WORDS * 4 + 8;

/**
 * The map side's in-memory buffer: records packed into large slabs, framed as in a record
 * file (varint key length, key, varint value length, value), and per partition one flat
 * Uint32Array of fixed-size entries, so buffering a record allocates no object, and a
 * spill copies each record to the run file in one piece (writeSortedPartition). Slabs are
 * recycled across spills, and across tasks through a {@link SlabCache}.
 *
 * Sorting is a hand-written stable merge sort of a permutation rather than TypedArray#sort,
 * because the engine cannot inline a comparator passed to the built-in, and the comparator
 * dominated the map side. A partition's entries are contiguous and carry an 8-byte key
 * prefix, so most comparisons touch one cache line per record and never the slabs.
 */
export class RecordArena {
  private slabs: Buffer[] = [];
  private readonly freeSlabs: Buffer[] = [];
  private current: Buffer = EMPTY;
  private currentIndex = -1;
  private currentUsed = 0;
  private count = 0;

  private readonly entries: Uint32Array[] = [];
  private readonly entryCount: Uint32Array;
  /** The permutation being sorted, and the merge sort's other half; sized for the largest partition. */
  private order: Uint32Array = EMPTY_TABLE;
  private scratch: Uint32Array = EMPTY_TABLE;
  /** The radix sort's bucket counters, one block per digit; allocated by the first sort big enough to use them. */
  private radixCounts: Uint32Array = EMPTY_TABLE;
  /** The entry table the comparator reads, set for the duration of one sort. */
  private sorting: Uint32Array = EMPTY_TABLE;

  constructor(
    partitions: number,
    /** Size of a regular slab; a record bigger than this gets a slab of its own. */
    private readonly slabBytes: number,
    /** Where regular slabs come from and go back to on release(); by default the process's. */
    private readonly slabCache: SlabCache = processSlabCache,
  ) {
    for (let p = 0; p < partitions; p++) this.entries.push(new Uint32Array(ENTRY_WORDS * 16));
    this.entryCount = new Uint32Array(partitions);
  }

  /** Records buffered since the last clear(). */
  get records(): number {
    return this.count;
  }

  /** Copies one record in; `partition` must already be valid. Returns the bytes it takes in the slabs. */
  add(partition: number, key: Buffer, value: Buffer): number {
    const keyLength = key.length;
    const valueLength = value.length;
    const keyHead = varintSize(keyLength);
    const size = keyHead + keyLength + varintSize(valueLength) + valueLength;
    let slab: Buffer;
    let slabIndex: number;
    let offset: number;
    if (size > this.slabBytes) {
      slab = Buffer.allocUnsafeSlow(size);
      slabIndex = this.slabs.push(slab) - 1;
      offset = 0;
    } else {
      this.makeRoom(size);
      slab = this.current;
      slabIndex = this.currentIndex;
      offset = this.currentUsed;
      this.currentUsed += size;
    }
    const keyStart = writeVarint(slab, offset, keyLength);
    copyBytes(key, slab, keyStart);
    copyBytes(value, slab, writeVarint(slab, keyStart + keyLength, valueLength));
    this.addEntry(partition, slab, slabIndex, keyStart, keyLength, valueLength);
    return size;
  }

  /**
   * Encodes a string key and a number or string value straight into a slab, as
   * `encodeKey`/`encodeValue` would, so buffering the record allocates nothing; a
   * `partition` below 0 means the key's partition of `partitions` by `partitionOf`
   * (default: its hash partition). Returns the
   * record's encoded size, or -1 (nothing buffered) when the pair needs the general path:
   * a key to escape or reject, or a record too big for a slab.
   */
  addEncoded(
    partition: number,
    key: string,
    value: number | string,
    partitions: number,
    partitionOf: KeyBytesPartitioner = hashPartitionOfRange,
  ): number {
    // Varints sized for the longest encodings; a record whose encodings came out shorter
    // is moved down over the spare bytes (a long key's, or a string value's).
    const keyRoom = 3 * key.length + 2;
    const valueRoom = scalarValueRoom(value);
    const keyHead = varintSize(keyRoom);
    const valueHead = varintSize(valueRoom);
    const room = keyHead + keyRoom + valueHead + valueRoom;
    if (room > this.slabBytes) return -1;
    this.makeRoom(room);
    const slab = this.current;
    const offset = this.currentUsed;
    const encodedEnd = writeStringKeyAt(key, slab, offset + keyHead);
    if (encodedEnd < 0) return -1;
    const keyLength = encodedEnd - offset - keyHead;
    const keyStart = frameBehindReservedVarint(slab, offset, keyHead, encodedEnd);
    const keyEnd = keyStart + keyLength;
    const valueLength = this.writeValueAfterKey(slab, keyEnd, valueHead, value);
    this.addEntry(
      partition < 0 ? partitionOf(slab, keyStart, keyEnd, partitions) : partition,
      slab,
      this.currentIndex,
      keyStart,
      keyLength,
      valueLength,
    );
    return this.currentUsed - offset;
  }

  /**
   * Copies an encoded key in and encodes a number or string value straight after it, as
   * `encodeValue` would: a composite key's record then costs one Buffer (the key's), not
   * two and a msgpackr call. Returns the record's size, or -1 (nothing buffered) when it
   * is too big for a slab.
   */
  addWithScalarValue(partition: number, key: Buffer, value: number | string): number {
    const keyLength = key.length;
    const valueHead = varintSize(scalarValueRoom(value));
    const room = varintSize(keyLength) + keyLength + valueHead + scalarValueRoom(value);
    if (room > this.slabBytes) return -1;
    this.makeRoom(room);
    const slab = this.current;
    const offset = this.currentUsed;
    const keyStart = writeVarint(slab, offset, keyLength);
    copyBytes(key, slab, keyStart);
    const valueLength = this.writeValueAfterKey(slab, keyStart + keyLength, valueHead, value);
    this.addEntry(partition, slab, this.currentIndex, keyStart, keyLength, valueLength);
    return this.currentUsed - offset;
  }

  /**
   * Encodes `value` after the key ending at `keyEnd` of the current slab, behind a varint
   * of `valueHead` bytes reserved for its longest encoding (moved down when it came out
   * shorter), and takes the bytes from the slab (up to `currentUsed`); returns the value's length.
   */
  private writeValueAfterKey(slab: Buffer, keyEnd: number, valueHead: number, value: number | string): number {
    const encodedEnd = writeScalarValueAt(value, slab, keyEnd + valueHead);
    const valueLength = encodedEnd - keyEnd - valueHead;
    this.currentUsed = frameBehindReservedVarint(slab, keyEnd, valueHead, encodedEnd) + valueLength;
    return valueLength;
  }

  /** Starts a new current slab unless `bytes` (at most a slab) fit in the current one. */
  private makeRoom(bytes: number): void {
    if (this.currentIndex >= 0 && this.currentUsed + bytes <= this.current.length) return;
    this.current = this.freeSlabs.pop() ?? this.slabCache.take(this.slabBytes);
    this.currentIndex = this.slabs.push(this.current) - 1;
    this.currentUsed = 0;
  }

  /** Indexes a record whose key starts at `offset` of the slab. */
  private addEntry(
    partition: number,
    slab: Buffer,
    slabIndex: number,
    offset: number,
    keyLength: number,
    valueLength: number,
  ): void {
    let table = this.entries[partition] as Uint32Array;
    const n = this.entryCount[partition] as number;
    let at = n * ENTRY_WORDS;
    if (at === table.length) {
      const grown = new Uint32Array(table.length * 2);
      grown.set(table);
      this.entries[partition] = table = grown;
    }
    let high = 0;
    let low = 0;
    if (keyLength >= PREFIX_BYTES) {
      // Indexing, not readUInt32BE: no bounds checks or argument validation per record.
      high =
        ((slab[offset] as number) << 24) |
        ((slab[offset + 1] as number) << 16) |
        ((slab[offset + 2] as number) << 8) |
        (slab[offset + 3] as number);
      low =
        ((slab[offset + 4] as number) << 24) |
        ((slab[offset + 5] as number) << 16) |
        ((slab[offset + 6] as number) << 8) |
        (slab[offset + 7] as number);
    } else {
      for (let i = 0; i < keyLength; i++) {
        const b = slab[offset + i] as number;
        if (i < 4) high |= b << (24 - 8 * i);
        else low |= b << (56 - 8 * i);
      }
    }
    // Uint32Array stores the shifted (possibly negative) int32s as their unsigned values.
    table[at++] = high;
    table[at++] = low;
    table[at++] = slabIndex;
    table[at++] = offset;
    table[at++] = keyLength;
    table[at] = valueLength;
    this.entryCount[partition] = n + 1;
    this.count++;
  }

  /**
   * Sorts one partition by key, equal keys in insertion order, and returns a source over it.
   * The source is valid until the next sortedPartition() or clear(); its views point into the slabs.
   */
  sortedPartition(partition: number): RecordSource {
    return new ArenaSource(this.slabs, this.entries[partition] as Uint32Array, this.sortPartition(partition));
  }

  /**
   * Sorts one partition like {@link sortedPartition} and appends its records to `writer`,
   * each copied in one piece from its slab (no view, no framing). Returns how many.
   */
  writeSortedPartition(partition: number, writer: RecordFileWriter): number {
    const table = this.entries[partition] as Uint32Array;
    const order = this.sortPartition(partition);
    const slabs = this.slabs;
    const n = order.length;
    for (let i = 0; i < n; i++) {
      const at = (order[i] as number) * ENTRY_WORDS;
      const keyStart = table[at + 3] as number;
      const keyLength = table[at + 4] as number;
      const valueLength = table[at + 5] as number;
      const start = keyStart - varintSize(keyLength);
      const end = keyStart + keyLength + varintSize(valueLength) + valueLength;
      writer.writeRecordBytes(slabs[table[at + 2] as number] as Buffer, start, end);
    }
    return n;
  }

  /** Sorts one partition's entries; returns the sorted permutation (valid until the next sort). */
  private sortPartition(partition: number): Uint32Array {
    const n = this.entryCount[partition] as number;
    const table = this.entries[partition] as Uint32Array;
    if (this.order.length < n) {
      this.order = new Uint32Array(Math.max(n, this.order.length * 2));
      this.scratch = new Uint32Array(this.order.length);
    }
    const order = this.order.subarray(0, n);
    this.sorting = table;
    try {
      if (n >= RADIX_MIN_RECORDS) {
        this.radixSortByPrefix(order);
        this.sortEqualPrefixes(order);
      } else {
        for (let i = 0; i < n; i++) order[i] = i;
        this.sort(order);
      }
    } finally {
      this.sorting = EMPTY_TABLE;
    }
    return order;
  }

  /** Forgets all records, keeping regular slabs and table capacity for reuse. */
  clear(): void {
    for (const slab of this.slabs) if (slab.length === this.slabBytes) this.freeSlabs.push(slab);
    this.slabs = [];
    this.current = EMPTY;
    this.currentIndex = -1;
    this.currentUsed = 0;
    this.count = 0;
    this.entryCount.fill(0);
  }

  /** Drops all memory, regular slabs back to the cache: the arena is done, and no view into it may be used after. */
  release(): void {
    this.clear();
    for (const slab of this.freeSlabs) this.slabCache.give(slab);
    this.freeSlabs.length = 0;
    this.order = this.scratch = this.radixCounts = EMPTY_TABLE;
    for (let p = 0; p < this.entries.length; p++) this.entries[p] = EMPTY_TABLE;
  }

  /** Orders entries i and j of the table being sorted by key bytes (unsigned, a prefix first), then by insertion. */
  private compare(i: number, j: number): number {
    const t = this.sorting;
    const a = i * ENTRY_WORDS;
    const b = j * ENTRY_WORDS;
    const highA = t[a] as number;
    const highB = t[b] as number;
    if (highA !== highB) return highA < highB ? -1 : 1;
    const lowA = t[a + 1] as number;
    const lowB = t[b + 1] as number;
    if (lowA !== lowB) return lowA < lowB ? -1 : 1;
    const la = t[a + 4] as number;
    const lb = t[b + 4] as number;
    const common = la < lb ? la : lb;
    // Equal zero-padded prefixes mean the first min(common, 8) bytes are equal.
    if (common > PREFIX_BYTES) {
      const slabA = this.slabs[t[a + 2] as number] as Buffer;
      const slabB = this.slabs[t[b + 2] as number] as Buffer;
      const oa = t[a + 3] as number;
      const ob = t[b + 3] as number;
      const inline = common < PREFIX_BYTES + INLINE_COMPARE_BYTES ? common : PREFIX_BYTES + INLINE_COMPARE_BYTES;
      for (let k = PREFIX_BYTES; k < inline; k++) {
        const d = (slabA[oa + k] as number) - (slabB[ob + k] as number);
        if (d !== 0) return d;
      }
      if (common > inline) {
        // Ranged Buffer#compare compares in place, allocating nothing.
        const c = slabA.compare(slabB, ob + inline, ob + lb, oa + inline, oa + la);
        if (c !== 0) return c;
      }
    }
    return la !== lb ? la - lb : i - j;
  }

  /**
   * Fills order with the entries of the table being sorted, stably sorted by their 8-byte
   * prefix: a least-significant-digit radix sort on four 16-bit digits, between order and
   * scratch. It reads each prefix a few times and compares nothing, where a comparison
   * sort calls the comparator n log n times. A digit every entry shares costs no pass.
   */
  private radixSortByPrefix(order: Uint32Array): void {
    const t = this.sorting;
    const n = order.length;
    if (this.radixCounts.length === 0) this.radixCounts = new Uint32Array(RADIX_DIGITS * RADIX_BUCKETS);
    const counts = this.radixCounts;
    counts.fill(0);
    for (let i = 0, at = 0; i < n; i++, at += ENTRY_WORDS) {
      const high = t[at] as number;
      const low = t[at + 1] as number;
      let c = low & 0xffff;
      counts[c] = (counts[c] as number) + 1;
      c = RADIX_BUCKETS + (low >>> 16);
      counts[c] = (counts[c] as number) + 1;
      c = 2 * RADIX_BUCKETS + (high & 0xffff);
      counts[c] = (counts[c] as number) + 1;
      c = 3 * RADIX_BUCKETS + (high >>> 16);
      counts[c] = (counts[c] as number) + 1;
    }
    let src: Uint32Array = order;
    let dst: Uint32Array = this.scratch.subarray(0, n);
    for (let i = 0; i < n; i++) src[i] = i;
    for (let digit = 0; digit < RADIX_DIGITS; digit++) {
      const base = digit * RADIX_BUCKETS;
      // Digits 0 and 1 are the low word's halves, 2 and 3 the high word's.
      const word = digit < 2 ? 1 : 0;
      const shift = (digit & 1) === 0 ? 0 : 16;
      if (counts[base + (((t[word] as number) >>> shift) & 0xffff)] === n) continue;
      let sum = 0;
      for (let b = base; b < base + RADIX_BUCKETS; b++) {
        const c = counts[b] as number;
        counts[b] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const e = src[i] as number;
        const bucket = base + (((t[e * ENTRY_WORDS + word] as number) >>> shift) & 0xffff);
        dst[counts[bucket] as number] = e;
        counts[bucket] = (counts[bucket] as number) + 1;
      }
      const swap = src;
      src = dst;
      dst = swap;
    }
    if (src !== order) order.set(src);
  }

  /**
   * Finishes a prefix-sorted order: each run of entries with the same prefix (longer keys
   * that share 8 bytes, or short keys that differ only in zero padding) is sorted by the
   * full comparator, which keeps insertion order for equal keys.
   */
  private sortEqualPrefixes(order: Uint32Array): void {
    const t = this.sorting;
    const n = order.length;
    let i = 0;
    while (i < n) {
      const a = (order[i] as number) * ENTRY_WORDS;
      const high = t[a] as number;
      const low = t[a + 1] as number;
      let j = i + 1;
      while (j < n) {
        const b = (order[j] as number) * ENTRY_WORDS;
        if (t[b] !== high || t[b + 1] !== low) break;
        j++;
      }
      if (j - i > 1) this.sort(order.subarray(i, j));
      i = j;
    }
  }

  /** Stable bottom-up merge sort: insertion-sorted short runs, then merges between the array and scratch. */
  private sort(order: Uint32Array): void {
    const n = order.length;
    for (let lo = 0; lo < n; lo += INSERTION_RUN) {
      const hi = Math.min(lo + INSERTION_RUN, n);
      for (let i = lo + 1; i < hi; i++) {
        const x = order[i] as number;
        let j = i - 1;
        while (j >= lo && this.compare(order[j] as number, x) > 0) {
          order[j + 1] = order[j] as number;
          j--;
        }
        order[j + 1] = x;
      }
    }
    if (n <= INSERTION_RUN) return;
    let src: Uint32Array = order;
    let dst: Uint32Array = this.scratch.subarray(0, n);
    for (let width = INSERTION_RUN; width < n; width *= 2) {
      for (let lo = 0; lo < n; lo += 2 * width) {
        this.merge(src, dst, lo, Math.min(lo + width, n), Math.min(lo + 2 * width, n));
      }
      const t = src;
      src = dst;
      dst = t;
    }
    if (src !== order) order.set(src);
  }

  private merge(src: Uint32Array, dst: Uint32Array, lo: number, mid: number, hi: number): void {
    // Already in order (common with presorted input or few distinct keys): copy.
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

/** Walks a sorted permutation of a partition's entries, handing out views into the slabs (made when first asked for). */
class ArenaSource implements RecordSource {
  private i = 0;
  private slab: Buffer = EMPTY;
  private keyStart = 0;
  private keyEnd = 0;
  private valueLength = 0;
  private currentKey: Buffer | undefined = EMPTY;
  private currentValue: Buffer | undefined = EMPTY;

  constructor(
    private readonly slabs: readonly Buffer[],
    private readonly table: Uint32Array,
    private readonly order: Uint32Array,
  ) {}

  get key(): Buffer {
    return (this.currentKey ??= this.slab.subarray(this.keyStart, this.keyEnd));
  }

  get value(): Buffer {
    if (this.currentValue === undefined) {
      const valueStart = this.keyEnd + varintSize(this.valueLength);
      this.currentValue = this.slab.subarray(valueStart, valueStart + this.valueLength);
    }
    return this.currentValue;
  }

  next(): boolean {
    if (this.i >= this.order.length) return false;
    const at = (this.order[this.i++] as number) * ENTRY_WORDS;
    const t = this.table;
    this.slab = this.slabs[t[at + 2] as number] as Buffer;
    this.keyStart = t[at + 3] as number;
    this.keyEnd = this.keyStart + (t[at + 4] as number);
    this.valueLength = t[at + 5] as number;
    this.currentKey = undefined;
    this.currentValue = undefined;
    return true;
  }

  /** Compares the next entry with the current one: prefixes and lengths first, then the bytes past the prefix. */
  nextKeyEquals(): boolean {
    const order = this.order;
    const i = this.i;
    if (i === 0 || i >= order.length) return false;
    const t = this.table;
    const a = (order[i - 1] as number) * ENTRY_WORDS;
    const b = (order[i] as number) * ENTRY_WORDS;
    const length = t[a + 4] as number;
    if (t[a] !== t[b] || t[a + 1] !== t[b + 1] || t[b + 4] !== length) return false;
    if (length <= PREFIX_BYTES) return true;
    const slabA = this.slabs[t[a + 2] as number] as Buffer;
    const slabB = this.slabs[t[b + 2] as number] as Buffer;
    const oa = t[a + 3] as number;
    const ob = t[b + 3] as number;
    for (let k = PREFIX_BYTES; k < length; k++) if (slabA[oa + k] !== slabB[ob + k]) return false;
    return true;
  }

  /** The prefix is in the entry already. */
  keyPrefixInto(high: Uint32Array, low: Uint32Array, i: number): void {
    const at = (this.order[this.i - 1] as number) * ENTRY_WORDS;
    high[i] = this.table[at] as number;
    low[i] = this.table[at + 1] as number;
  }

  /** Appends the current record to sink as the slab holds it, framed: one copy, no views. */
  copyCurrentTo(sink: FramedRecordSink): void {
    const keyLength = this.keyEnd - this.keyStart;
    sink.writeRecordBytes(
      this.slab,
      this.keyStart - varintSize(keyLength),
      this.keyEnd + varintSize(this.valueLength) + this.valueLength,
    );
  }

  close(): void {
    this.i = this.order.length;
  }
}

/** Copies `bytes` into `slab` at `at`: short ones by a loop, cheaper than a native call. */
function copyBytes(bytes: Buffer, slab: Buffer, at: number): void {
  const n = bytes.length;
  if (n <= INLINE_COPY_BYTES) {
    for (let i = 0; i < n; i++) slab[at + i] = bytes[i] as number;
  } else {
    slab.set(bytes, at);
  }
}
