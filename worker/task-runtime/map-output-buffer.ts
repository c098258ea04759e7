import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeKey } from '../../proto/formats/index.js';
import { encodeValueOf } from '../../proto/formats/index.js';
import { hashPartitionOfRange } from '../../proto/formats/index.js';
import type { KeyBytesPartitioner } from '../../proto/formats/index.js';
import { RecordFileWriter } from '../../proto/formats/index.js';
import { MAP_OUTPUT_DATA_FILE, encodeMapOutputIndex } from '../../proto/formats/index.js';
import type { MapOutputFile } from '../../proto/formats/index.js';
import type { Key } from '../../proto/formats/index.js';
import type { RecordSource } from '../../proto/formats/index.js';
import { ARENA_RECORD_OVERHEAD_BYTES, RecordArena } from './record-arena.js';
import { mergeRuns, writeSorted } from './sorted-runs.js';
import type { SortedRun } from './sorted-runs.js';

/**
 * Combines the values of one key at byte level; emits zero or more records, all with keys
 * in the same partition and sort position as `key` (like Hadoop, a combiner must not change
 * keys' order). Enforced strictly: every emitted key must equal `key` byte for byte, or the
 * map task fails. `values` streams like forEachGroup's (group-by-key.ts).
 */
export type ByteCombiner = (key: Buffer, values: Iterable<Buffer>, emit: (key: Buffer, value: Buffer) => void) => void;

/** Options of a {@link MapOutputBuffer}. */
export interface MapOutputOptions {
  /** Number of reduce partitions R, an integer >= 1. */
  readonly partitions: number;
  /**
   * Spill a sorted run once buffered bytes exceed this: records framed as in a record file plus a fixed
   * {@link ARENA_RECORD_OVERHEAD_BYTES} per record for the in-memory index.
   */
  readonly bufferBytes: number;
  /** An existing directory owned by this attempt; spills and the output go here. */
  readonly dir: string;
  /** Applied to each sorted spill and again during every merge. */
  readonly combiner?: ByteCombiner;
  /**
   * The partition of a record added without one, from its encoded key. Default: the key's
   * hash ({@link hashPartitionOfRange}).
   */
  readonly partitionOf?: KeyBytesPartitioner;
  /**
   * The combiner emits a key's only value unchanged (as the job combiners of map-task.ts
   * do), so a key with one record in the sorted buffer is copied whole without calling it:
   * after in-mapper combining nearly every key is one. Default false.
   */
  readonly combinerKeepsSingles?: boolean;
  /**
   * Most runs merged at once (each needs a read buffer and a file handle); with more
   * spills, earlier runs are first merged into bigger ones. Default {@link DEFAULT_MERGE_FACTOR}.
   */
  readonly mergeFactor?: number;
}

/** Default {@link MapOutputOptions.mergeFactor}: like Hadoop's io.sort.factor, bounds open files and read buffers. */
export const DEFAULT_MERGE_FACTOR = 64;

const MAX_SLAB_BYTES = 4 * 1024 * 1024;
const MIN_SLAB_BYTES = 4 * 1024;
const MAX_WRITE_BUFFER_BYTES = 1024 * 1024;
const MIN_WRITE_BUFFER_BYTES = 64 * 1024;
/** Smallest write buffer of an output that fits in memory (RecordFileWriter needs at least 16 bytes). */
const MIN_FINAL_WRITE_BUFFER_BYTES = 256;
/** Read block per run while merging: mergeFactor of them are live at once. */
const MERGE_BLOCK_BYTES = 256 * 1024;

interface CompiledMapOutputOptions {
  readonly partitions: number;
  readonly bufferBytes: number;
  readonly dir: string;
  readonly combiner: ByteCombiner | undefined;
  readonly combinerKeepsSingles: boolean;
  readonly mergeFactor: number;
  readonly partitionOf: KeyBytesPartitioner;
}

type BufferState = 'open' | 'finished' | 'failed';

/**
 * The map side of the data path: buffers a map attempt's output records in memory, sorts
 * each partition by key, combines, spills sorted runs when the buffer is full, and finally
 * merges everything into one data file per attempt with a partition index. Memory stays
 * within bufferBytes plus one slab, a write buffer, and mergeFactor read blocks.
 */
export class MapOutputBuffer {
  private readonly options: CompiledMapOutputOptions;
  private readonly arena: RecordArena;
  private readonly writeBufferBytes: number;
  private buffered = 0;
  private runs: SortedRun[] = [];
  /** Every run file ever created, so a failure anywhere still removes them all. */
  private readonly runFiles: string[] = [];
  private spills = 0;
  private merges = 0;
  private state: BufferState = 'open';

  constructor(options: MapOutputOptions) {
    this.options = compileOptions(options);
    const { partitions, bufferBytes } = this.options;
    this.arena = new RecordArena(partitions, clamp(bufferBytes, MIN_SLAB_BYTES, MAX_SLAB_BYTES));
    this.writeBufferBytes = clamp(bufferBytes, MIN_WRITE_BUFFER_BYTES, MAX_WRITE_BUFFER_BYTES);
  }

  /** Buffers one record (the bytes are copied); spills a sorted run when the buffer is over its limit. */
  add(partition: number, key: Buffer, value: Buffer): void {
    this.checkAdd(partition);
    this.added(this.arena.add(partition, key, value));
  }

  /**
   * Encodes and buffers one emitted pair, in `partition`, or in the key's partition by
   * the buffer's `partitionOf` (default its hash) when `partition` is undefined. Number and string values are encoded straight into the
   * buffer, and so are string keys; other keys go through encodeKey, other values through
   * encodeValue.
   * @throws what encodeKey throws for a key that is not a Key.
   */
  addPair(partition: number | undefined, key: Key, value: unknown): void {
    if (typeof key === 'string' && (typeof value === 'number' || typeof value === 'string')) {
      if (partition !== undefined) this.checkAdd(partition);
      else if (this.state !== 'open') throw new Error(`map output buffer is ${this.state}`);
      const { partitions, partitionOf } = this.options;
      const bytes = this.arena.addEncoded(partition ?? -1, key, value, partitions, partitionOf);
      if (bytes >= 0) {
        this.added(bytes);
        return;
      }
    }
    const k = encodeKey(key);
    const p = partition ?? this.options.partitionOf(k, 0, k.length, this.options.partitions);
    if (typeof value === 'number' || typeof value === 'string') {
      this.checkAdd(p);
      const bytes = this.arena.addWithScalarValue(p, k, value);
      if (bytes >= 0) {
        this.added(bytes);
        return;
      }
    }
    this.add(p, k, encodeValueOf(key, value));
  }

  private checkAdd(partition: number): void {
    if (this.state !== 'open') throw new Error(`map output buffer is ${this.state}`);
    if (!(partition >= 0 && partition < this.options.partitions && Number.isInteger(partition))) {
      throw new RangeError(`partition must be an integer in [0, ${this.options.partitions}), got ${String(partition)}`);
    }
  }

  /** Counts a record of `bytes` in the arena; spills past the buffer's limit. */
  private added(bytes: number): void {
    this.buffered += bytes + ARENA_RECORD_OVERHEAD_BYTES;
    if (this.buffered > this.options.bufferBytes) {
      try {
        this.spill();
      } catch (err) {
        // The attempt is lost (a combiner threw, the disk is full): free what it holds now.
        this.state = 'failed';
        this.cleanUp();
        throw err;
      }
    }
  }

  /**
   * Sorts, combines and merges everything into output.data, ends it with the index, deletes
   * the spill files, and returns the output's description. The buffer is unusable after.
   */
  finish(): MapOutputFile {
    if (this.state !== 'open') throw new Error(`map output buffer is ${this.state}`);
    this.state = 'failed';
    const { dir, partitions, combiner, mergeFactor } = this.options;
    const dataPath = path.join(dir, MAP_OUTPUT_DATA_FILE);
    try {
      // The last buffer joins the final merge from memory when the merge has room for it:
      // spilling it would only write it out to read it back.
      const lastFromMemory = this.runs.length > 0 && this.runs.length < mergeFactor && this.arena.records > 0;
      if (this.runs.length > 0 && this.arena.records > 0 && !lastFromMemory) this.spill();
      while (this.runs.length > mergeFactor) this.mergeRound();
      // Without spills the output is the buffered records, and their framing takes less than
      // the per-record overhead counted in `buffered`: a write buffer of that size (and room
      // for the index) holds the whole file, so a tiny task does not allocate a megabyte to
      // write a few bytes, and writes them with one call.
      const indexRoom = 64 + 16 * (partitions + 1);
      const bufferBytes =
        this.runs.length === 0
          ? clamp(this.buffered + indexRoom, MIN_FINAL_WRITE_BUFFER_BYTES, this.writeBufferBytes)
          : this.writeBufferBytes;
      const writer = RecordFileWriter.create(dataPath, { bufferBytes });
      let file: MapOutputFile;
      try {
        const last = lastFromMemory ? (p: number): RecordSource => this.arena.sortedPartition(p) : undefined;
        const written =
          this.runs.length === 0
            ? this.writeArena(writer)
            : mergeRuns(this.runs, partitions, writer, combiner, MERGE_BLOCK_BYTES, last);
        file = {
          dataPath,
          offsets: written.offsets,
          records: written.records,
          bytes: written.offsets[partitions] as number,
          spills: this.spills,
        };
        writer.writeRaw(encodeMapOutputIndex(file));
      } finally {
        writer.close();
      }
      this.state = 'finished';
      return file;
    } catch (err) {
      // No half-written output may look like a result.
      fs.rmSync(dataPath, { force: true });
      throw err;
    } finally {
      this.cleanUp();
    }
  }

  private cleanUp(): void {
    this.arena.release();
    for (const file of this.runFiles) fs.rmSync(file, { force: true });
    this.runs = [];
  }

  private spill(): void {
    const run = this.writeRun(`spill-${String(this.spills).padStart(5, '0')}.run`, (writer) => this.writeArena(writer));
    this.runs.push(run);
    this.spills++;
    this.arena.clear();
    this.buffered = 0;
  }

  /**
   * One round of intermediate merging: consecutive groups of up to mergeFactor runs, from
   * the front, until the final merge would have exactly mergeFactor inputs (the fewest
   * bytes rewritten; each byte at most once per round). Groups stay in spill order, so
   * earlier records still win ties.
   */
  private mergeRound(): void {
    const { partitions, combiner, mergeFactor } = this.options;
    let excess = this.runs.length - mergeFactor;
    const next: SortedRun[] = [];
    for (let i = 0; i < this.runs.length;) {
      const size = Math.min(mergeFactor, excess + 1, this.runs.length - i);
      const group = this.runs.slice(i, i + size);
      i += size;
      if (size === 1) {
        next.push(group[0] as SortedRun);
        continue;
      }
      const merged = this.writeRun(`merge-${String(this.merges++).padStart(5, '0')}.run`, (writer) =>
        mergeRuns(group, partitions, writer, combiner, MERGE_BLOCK_BYTES),
      );
      next.push(merged);
      excess -= size - 1;
      for (const run of group) fs.rmSync(run.path, { force: true });
    }
    this.runs = next;
  }

  private writeRun(name: string, write: (writer: RecordFileWriter) => { offsets: number[] }): SortedRun {
    const runPath = path.join(this.options.dir, name);
    this.runFiles.push(runPath);
    const writer = RecordFileWriter.create(runPath, { bufferBytes: this.writeBufferBytes });
    try {
      return { path: runPath, offsets: write(writer).offsets };
    } finally {
      writer.close();
    }
  }

  /** Writes the buffer's records, every partition sorted (and combined) in turn. */
  private writeArena(writer: RecordFileWriter): { offsets: number[]; records: number } {
    const offsets: number[] = [];
    const combiner = this.options.combiner;
    let records = 0;
    for (let p = 0; p < this.options.partitions; p++) {
      offsets.push(writer.endBlock());
      // Without a combiner the records go out as the slabs hold them, already framed.
      records += combiner
        ? writeSorted(this.arena.sortedPartition(p), writer, combiner, this.options.combinerKeepsSingles)
        : this.arena.writeSortedPartition(p, writer);
    }
    offsets.push(writer.endBlock());
    return { offsets, records };
  }
}

function compileOptions(options: MapOutputOptions): CompiledMapOutputOptions {
  const { partitions, bufferBytes, dir, combiner } = options;
  const mergeFactor = options.mergeFactor ?? DEFAULT_MERGE_FACTOR;
  if (!Number.isSafeInteger(partitions) || partitions < 1) {
    throw new RangeError(`MapOutputOptions.partitions must be an integer >= 1, got ${String(partitions)}`);
  }
  if (!Number.isSafeInteger(bufferBytes) || bufferBytes < 1) {
    throw new RangeError(`MapOutputOptions.bufferBytes must be a positive integer, got ${String(bufferBytes)}`);
  }
  if (!Number.isSafeInteger(mergeFactor) || mergeFactor < 2) {
    throw new RangeError(`MapOutputOptions.mergeFactor must be an integer >= 2, got ${String(mergeFactor)}`);
  }
  if (typeof dir !== 'string' || dir === '') {
    throw new TypeError(`MapOutputOptions.dir must be a non-empty string, got ${typeof dir}`);
  }
  let isDir: boolean;
  try {
    isDir = fs.statSync(dir).isDirectory();
  } catch (err) {
    throw new TypeError(`MapOutputOptions.dir ${dir} is not an existing directory`, { cause: err });
  }
  if (!isDir) throw new TypeError(`MapOutputOptions.dir ${dir} is not a directory`);
  if (combiner !== undefined && typeof combiner !== 'function') {
    throw new TypeError(`MapOutputOptions.combiner must be a function, got ${typeof combiner}`);
  }
  return {
    partitions,
    bufferBytes,
    dir,
    combiner,
    combinerKeepsSingles: options.combinerKeepsSingles === true,
    mergeFactor,
    partitionOf: options.partitionOf ?? hashPartitionOfRange,
  };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
