import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { RecordFileReader } from './record-file.js';

/**
 * The file a map task leaves for reducers: every partition's records in one data file,
 * in partition order, then the index that says where each partition starts. Written by
 * the map task's output buffer (worker/task-runtime), read by the shuffle service and by
 * reducers that hold the output themselves.
 */

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

/** Opens one partition of a finished map output for reading. */
export function openPartition(
  file: { dataPath: string; offsets: readonly number[] },
  partition: number,
): RecordFileReader {
  const partitions = file.offsets.length - 1;
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
    throw new RangeError(`partition must be an integer in [0, ${partitions}), got ${String(partition)}`);
  }
  return RecordFileReader.open(file.dataPath, file.offsets[partition], file.offsets[partition + 1]);
}

/**
 * Reads back the index of the finished map output in `dir` (for the shuffle service), checking
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
  const bad = (why: string, cause?: unknown): Error =>
    new Error(`${dataPath}: invalid map output index: ${why}`, { cause });
  const { size, text } = readIndexText(dataPath, bad);
  let parsed: Partial<Record<keyof MapOutputFile, unknown>>;
  try {
    parsed = JSON.parse(text) as Partial<Record<keyof MapOutputFile, unknown>>;
  } catch (err) {
    throw bad('not JSON', err);
  }
  if (typeof parsed !== 'object' || parsed === null) throw bad('not an object');
  const { offsets, records, bytes, spills } = parsed;
  if (!Array.isArray(offsets) || offsets.length < 2 || offsets[0] !== 0)
    throw bad('offsets must be an array of R+1 numbers starting at 0');
  for (let p = 1; p < offsets.length; p++) {
    const o: unknown = offsets[p];
    if (!Number.isSafeInteger(o) || (o as number) < (offsets[p - 1] as number))
      throw bad(`offsets[${p}] is not a non-decreasing integer`);
  }
  if (!isCount(records) || !isCount(spills)) throw bad('records and spills must be integers >= 0');
  if (bytes !== offsets[offsets.length - 1]) throw bad('bytes must equal the last offset');
  const recordBytes = offsets[offsets.length - 1] as number;
  const expected = recordBytes + Buffer.byteLength(text) + INDEX_FOOTER_BYTES;
  if (size !== expected)
    throw bad(`the file has ${size} bytes, its index says ${expected} (${recordBytes} of records)`);
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
    if (!tail.subarray(tail.length - INDEX_MAGIC.length).equals(INDEX_MAGIC))
      throw bad('the file does not end with an index (unfinished?)');
    const length = tail.readUInt32LE(tail.length - INDEX_FOOTER_BYTES);
    if (length + INDEX_FOOTER_BYTES > size) throw bad(`an index of ${length} bytes does not fit in ${size} bytes`);
    if (length + INDEX_FOOTER_BYTES > tail.length) tail = readAt(fd, length + INDEX_FOOTER_BYTES, size);
    const json = tail.subarray(tail.length - INDEX_FOOTER_BYTES - length, tail.length - INDEX_FOOTER_BYTES);
    if (zlib.crc32(json) !== tail.readUInt32LE(tail.length - INDEX_FOOTER_BYTES + 4))
      throw bad('checksum mismatch in the index');
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

function isCount(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) >= 0;
}
