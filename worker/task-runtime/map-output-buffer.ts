import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { encodeKey, encodeValueOf, hashPartition, RecordFileReader, RecordFileWriter } from '../../proto/index.js';
import type { Key, RecordSource } from '../../proto/index.js';
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
   * Most runs merged at once (each needs a read buffer and a file handle); with more
   * spills, earlier runs are first merged into bigger ones. Default {@link DEFAULT_MERGE_FACTOR}.
   */
  readonly mergeFactor?: number;
}

/**
 * A finished map output: one data file with every partition in order, then its index (a
 * trailer after the records: see {@link readMapOutputIndex}).
 */
export interface MapOutputFile {
  /** `<dir>/output.data`. */
  readonly dataPath: string;
  /** Length R+1; partition p is the byte range [offsets[p], offsets[p+1]). */
  readonly offsets: readonly number[];
  /** Records written to the output (after combining). */
  readonly records: number;
  /** Bytes of records in the data file (the index follows them). */
  readonly bytes: number;
  /** Sorted runs spilled to disk; 0 if all fit in memory. A last buffer merged from memory is not one. */
  readonly spills: number;
}

/** Default {@link MapOutputOptions.mergeFactor}: like Hadoop's io.sort.factor, bounds open files and read buffers. */
export const DEFAULT_MERGE_FACTOR = 64;

/** Name of the data file in an attempt's directory. */
export const MAP_OUTPUT_DATA_FILE = 'output.data';

/**
 * Ends every map output data file, after the index: an index and a data file written
 * apart cost a pool process two more opens and a rename per task, which for tiny tasks
 * was a large share of their time. Written last, so a file that has it is complete.
 */
const INDEX_MAGIC = Buffer.from('GRVMOIX2', 'latin1');
/** The index's length and its CRC32 (uint32 LE each), and the magic. */
const INDEX_FOOTER_BYTES = 4 + 4 + INDEX_MAGIC.length;
/** Bytes read from the end of a data file to find its index: one read for any usual partition count. */
const INDEX_TAIL_READ_BYTES = 16 * 1024;

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
  readonly mergeFactor: number;
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
   * Encodes and buffers one emitted pair, in `partition`, or in the key's hash partition
   * when `partition` is undefined. Number and string values are encoded straight into the
   * buffer, and so are string keys; other keys go through encodeKey, other values through
   * encodeValue.
   * @throws what encodeKey throws for a key that is not a Key.
   */
  addPair(partition: number | undefined, key: Key, value: unknown): void {
    if (typeof key === 'string' && (typeof value === 'number' || typeof value === 'string')) {
      if (partition !== undefined) this.checkAdd(partition);
      else if (this.state !== 'open') throw new Error(`map output buffer is ${this.state}`);
      const bytes = this.arena.addEncoded(partition ?? -1, key, value, this.options.partitions);
      if (bytes >= 0) {
        this.added(bytes);
        return;
      }
    }
    const k = encodeKey(key);
    const p = partition ?? hashPartition(k, this.options.partitions);
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
      const bufferBytes = this.runs.length === 0 ? clamp(this.buffered + indexRoom, MIN_FINAL_WRITE_BUFFER_BYTES, this.writeBufferBytes) : this.writeBufferBytes;
      const writer = RecordFileWriter.create(dataPath, { bufferBytes });
      let file: MapOutputFile;
      try {
        const last = lastFromMemory ? (p: number): RecordSource => this.arena.sortedPartition(p) : undefined;
        const written = this.runs.length === 0 ? this.writeArena(writer) : mergeRuns(this.runs, partitions, writer, combiner, MERGE_BLOCK_BYTES, last);
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
    for (let i = 0; i < this.runs.length; ) {
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
      records += combiner ? writeSorted(this.arena.sortedPartition(p), writer, combiner) : this.arena.writeSortedPartition(p, writer);
    }
    offsets.push(writer.endBlock());
    return { offsets, records };
  }
}

/** Opens one partition of a finished map output for reading. */
export function openPartition(file: { dataPath: string; offsets: readonly number[] }, partition: number): RecordFileReader {
  const partitions = file.offsets.length - 1;
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
    throw new RangeError(`partition must be an integer in [0, ${partitions}), got ${String(partition)}`);
  }
  return RecordFileReader.open(file.dataPath, file.offsets[partition], file.offsets[partition + 1]);
}

/**
 * Reads back the index of the finished map output in `dir` (for the data service), checking
 * it against the data file so a damaged or unfinished output fails here, not mid-merge.
 *
 * The data file is `blocks | index | uint32 LE index length | uint32 LE CRC32 of the index |
 * "GRVMOIX2"`, the blocks being checksummed blocks of records (record-blocks.ts) and the
 * index the JSON of `{ offsets, records, bytes, spills }`. Partitions are byte ranges of
 * whole blocks, so readers of a partition never see the index; the file's length must be
 * what the index says, so a short file is refused here.
 */
export function readMapOutputIndex(dir: string): MapOutputFile {
  const dataPath = path.join(dir, MAP_OUTPUT_DATA_FILE);
  const bad = (why: string, cause?: unknown): Error => new Error(`${dataPath}: invalid map output index: ${why}`, { cause });
  const { size, text } = readIndexText(dataPath, bad);
  let parsed: Partial<Record<keyof MapOutputFile, unknown>>;
  try {
    parsed = JSON.parse(text) as Partial<Record<keyof MapOutputFile, unknown>>;
  } catch (err) {
    throw bad('not JSON', err);
  }
  if (typeof parsed !== 'object' || parsed === null) throw bad('not an object');
  const { offsets, records, bytes, spills } = parsed;
  if (!Array.isArray(offsets) || offsets.length < 2 || offsets[0] !== 0) throw bad('offsets must be an array of R+1 numbers starting at 0');
  for (let p = 1; p < offsets.length; p++) {
    const o: unknown = offsets[p];
    if (!Number.isSafeInteger(o) || (o as number) < (offsets[p - 1] as number)) throw bad(`offsets[${p}] is not a non-decreasing integer`);
  }
  if (!isCount(records) || !isCount(spills)) throw bad('records and spills must be integers >= 0');
  if (bytes !== offsets[offsets.length - 1]) throw bad('bytes must equal the last offset');
  const recordBytes = offsets[offsets.length - 1] as number;
  const expected = recordBytes + Buffer.byteLength(text) + INDEX_FOOTER_BYTES;
  if (size !== expected) throw bad(`the file has ${size} bytes, its index says ${expected} (${recordBytes} of records)`);
  return { dataPath, offsets: offsets as number[], records, bytes: recordBytes, spills };
}

/** The index trailer of a data file: JSON, its length, the magic. */
export function encodeMapOutputIndex(file: Omit<MapOutputFile, 'dataPath'>): Buffer {
  const { offsets, records, bytes, spills } = file;
  const json = Buffer.from(JSON.stringify({ offsets, records, bytes, spills }));
  const footer = Buffer.allocUnsafe(INDEX_FOOTER_BYTES);
  footer.writeUInt32LE(json.length, 0);
  footer.writeUInt32LE(zlib.crc32(json), 4);
  INDEX_MAGIC.copy(footer, 8);
  return Buffer.concat([json, footer]);
}

/** The data file's size and the text of its index, read from its end. */
function readIndexText(dataPath: string, bad: (why: string) => Error): { size: number; text: string } {
  const fd = fs.openSync(dataPath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size < INDEX_FOOTER_BYTES) throw bad(`the file has ${size} bytes, too few to end with an index`);
    let tail = readAt(fd, Math.min(size, INDEX_TAIL_READ_BYTES), size);
    if (!tail.subarray(tail.length - INDEX_MAGIC.length).equals(INDEX_MAGIC)) throw bad('the file does not end with an index (unfinished?)');
    const length = tail.readUInt32LE(tail.length - INDEX_FOOTER_BYTES);
    if (length + INDEX_FOOTER_BYTES > size) throw bad(`an index of ${length} bytes does not fit in ${size} bytes`);
    if (length + INDEX_FOOTER_BYTES > tail.length) tail = readAt(fd, length + INDEX_FOOTER_BYTES, size);
    const json = tail.subarray(tail.length - INDEX_FOOTER_BYTES - length, tail.length - INDEX_FOOTER_BYTES);
    if (zlib.crc32(json) !== tail.readUInt32LE(tail.length - INDEX_FOOTER_BYTES + 4)) throw bad('checksum mismatch in the index');
    return { size, text: json.toString('utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

/** The last `length` bytes of a file of `size` bytes. */
function readAt(fd: number, length: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, size - length + got);
    if (n === 0) throw new Error(`unexpected end of file at ${size - length + got}`);
    got += n;
  }
  return buf;
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
  return { partitions, bufferBytes, dir, combiner, mergeFactor };
}

function isCount(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) >= 0;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
