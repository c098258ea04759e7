import { storeKeyPrefix } from '../../proto/formats/index.js';
import type { FramedRecordSink, RecordSource } from '../../proto/formats/index.js';

const EMPTY = Buffer.alloc(0);

/** The current source of a merge before its first record and after its last. */
const EMPTY_SOURCE: RecordSource = { key: EMPTY, value: EMPTY, next: () => false, close: () => undefined };

/**
 * Merges sorted sources into one sorted source (ties: lower source index first, so merging
 * is stable). The merged source's key and value are the winning source's own views, valid
 * until the merged source's next `next()`; copyCurrentTo copies the winning record whole
 * when its source can. `close()` closes every source.
 */
export function mergeSources(sources: readonly RecordSource[]): RecordSource {
  // One source needs no heap; it already is its own merge.
  if (sources.length === 1) return sources[0] as RecordSource;
  return new MergedSource(sources);
}

/**
 * A binary min-heap of source indexes ordered by (current key, index). It compares the
 * sources' live key views: a source's view stays valid while it sits in the heap, because
 * only the top source is ever advanced, and it is re-sifted right after. Each source's
 * first 8 key bytes are also kept as two integers, read once per record, so that most
 * comparisons are two integer compares instead of a native Buffer#compare call.
 */
class MergedSource implements RecordSource {
  private readonly sources: RecordSource[];
  private readonly heap: Int32Array;
  /** Per source: its current key's first 4 bytes and next 4, big-endian, zero-padded. */
  private readonly high: Uint32Array;
  private readonly low: Uint32Array;
  private size = 0;
  private started = false;
  /** The source whose record is current. */
  private top: RecordSource = EMPTY_SOURCE;

  constructor(sources: readonly RecordSource[]) {
    this.sources = sources.slice();
    this.heap = new Int32Array(sources.length);
    this.high = new Uint32Array(sources.length);
    this.low = new Uint32Array(sources.length);
  }

  get key(): Buffer {
    return this.top.key;
  }

  get value(): Buffer {
    return this.top.value;
  }

  keyEquals(key: Buffer): boolean {
    const top = this.top;
    return top.keyEquals ? top.keyEquals(key) : top.key.equals(key);
  }

  copyCurrentTo(sink: FramedRecordSink): void {
    const top = this.top;
    if (top.copyCurrentTo) top.copyCurrentTo(sink);
    else sink.write(top.key, top.value);
  }

  next(): boolean {
    const heap = this.heap;
    if (!this.started) {
      this.started = true;
      for (let i = 0; i < this.sources.length; i++) {
        if ((this.sources[i] as RecordSource).next()) {
          this.readPrefix(i);
          heap[this.size] = i;
          this.siftUp(this.size++);
        }
      }
    } else {
      if (this.size === 0) return false;
      const top = heap[0] as number;
      if ((this.sources[top] as RecordSource).next()) {
        this.readPrefix(top);
      } else {
        this.size--;
        heap[0] = heap[this.size] as number;
      }
      if (this.size > 1) this.siftDown(0);
    }
    if (this.size === 0) {
      this.top = EMPTY_SOURCE;
      return false;
    }
    this.top = this.sources[heap[0] as number] as RecordSource;
    return true;
  }

  close(): void {
    let first: unknown;
    let failed = false;
    for (const source of this.sources) {
      try {
        source.close();
      } catch (err) {
        if (!failed) first = err;
        failed = true;
      }
    }
    this.size = 0;
    if (failed) throw first;
  }

  /** Caches source i's key prefix; called whenever source i has moved to a new record. */
  private readPrefix(i: number): void {
    const source = this.sources[i] as RecordSource;
    if (source.keyPrefixInto) {
      source.keyPrefixInto(this.high, this.low, i);
      return;
    }
    const key = source.key;
    storeKeyPrefix(key, 0, key.length, this.high, this.low, i);
  }

  /** Whether source a's record comes before source b's. */
  private before(a: number, b: number): boolean {
    const highA = this.high[a] as number;
    const highB = this.high[b] as number;
    if (highA !== highB) return highA < highB;
    const lowA = this.low[a] as number;
    const lowB = this.low[b] as number;
    if (lowA !== lowB) return lowA < lowB;
    // Equal zero-padded prefixes: the keys may still differ past 8 bytes, or in length.
    const sourceA = this.sources[a] as RecordSource;
    const sourceB = this.sources[b] as RecordSource;
    const c = sourceA.compareKeyTo ? sourceA.compareKeyTo(sourceB) : sourceA.key.compare(sourceB.key);
    return c < 0 || (c === 0 && a < b);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const item = heap[i] as number;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as number;
      if (!this.before(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const size = this.size;
    const item = heap[i] as number;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let c = heap[child] as number;
      const right = child + 1;
      if (right < size) {
        const r = heap[right] as number;
        if (this.before(r, c)) {
          child = right;
          c = r;
        }
      }
      if (!this.before(c, item)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = item;
  }
}
