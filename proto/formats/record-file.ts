import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { GrooveError } from '../../common/index.js';
import { BLOCK_HEADER_BYTES, blockChecksum, MAX_BLOCK_PAYLOAD_BYTES, writeBlockHeader } from './record-blocks.js';
import { storeKeyPrefix } from './record-source.js';
import type { FramedRecordSink, RecordSource } from './record-source.js';
import { writeStringKeyAt } from './key-codec.js';
import { scalarValueRoom, writeScalarValueAt } from './value-codec.js';
import {
  frameBehindReservedVarint,
  MAX_LENGTH_VARINT_BYTES,
  readVarint,
  VARINT_TOO_LONG,
  varintSize,
  varintValue,
  writeVarint,
} from './varint.js';

/**
 * Record files: a sequence of checksummed blocks (record-blocks.ts), each holding whole
 * framed records, each `varint(key length) key varint(value length) value` (unsigned
 * LEB128). No file header, so a byte range of a file that starts and ends on block
 * boundaries (a partition of a map output) is itself a valid record file, and can be
 * streamed to a reducer as is, its checksums with it.
 */

/** Default size of a writer's buffer and of a reader's block: large enough to make syscalls rare. */
export const DEFAULT_RECORD_FILE_BUFFER_BYTES = 1024 * 1024;

/** Keys and values up to this long are copied by a loop: cheaper than a native call. */
const INLINE_COPY_BYTES = 16;
/** Whole framed records up to this long are copied by a loop too (two lengths and a short key and value). */
const INLINE_RECORD_COPY_BYTES = 32;

/** Keys up to this long are compared for equality by a loop: cheaper than a native call. */
const INLINE_COMPARE_BYTES = 32;

const EMPTY = Buffer.alloc(0);

/** A record file is truncated or corrupt; names the file and the byte offset of the bad record. */
export class RecordFileError extends GrooveError {
  constructor(
    readonly path: string,
    readonly offset: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${reason} at offset ${offset}`, options);
  }
}

/** Options of {@link RecordFileWriter.create}. */
export interface RecordFileWriterOptions {
  /** Size of the write buffer in bytes; default {@link DEFAULT_RECORD_FILE_BUFFER_BYTES}. */
  readonly bufferBytes?: number;
  /**
   * Called with every byte range as it goes to the file, in file order (a view, valid
   * during the call only): lets the caller derive a second file from the same bytes
   * without reading them back. Default: none.
   */
  readonly onBytes?: (bytes: Buffer) => void;
}

/** Options of {@link RecordFileReader.open}. */
export interface RecordFileReaderOptions {
  /**
   * Bytes read per syscall, and the reader's initial buffer size (never more than the range);
   * default {@link DEFAULT_RECORD_FILE_BUFFER_BYTES}. The buffer grows for a bigger record.
   */
  readonly blockBytes?: number;
}

/**
 * Writes a record file through one reused buffer, synchronously, in checksummed blocks
 * (see record-blocks.ts): the buffer holds whole blocks, each header written in place when
 * its block ends, so framing and checksumming cost no extra copy.
 */
export class RecordFileWriter implements FramedRecordSink {
  private fd: number | undefined;
  private readonly buf: Buffer;
  /** Index in buf of the current block's header; the blocks before it are complete. */
  private blockStart = 0;
  /** End of the current block's payload in buf. */
  private used = BLOCK_HEADER_BYTES;
  /** Where the current block must end: its payload limit, or the buffer's end. */
  private blockLimit: number;
  private flushed = 0;
  private blockCount = 0;
  private payload = 0;

  private constructor(
    private readonly path: string,
    fd: number,
    bufferBytes: number,
    private readonly onBytes: ((bytes: Buffer) => void) | undefined,
  ) {
    this.fd = fd;
    // Room for one header more than asked for, so a buffer of n bytes holds n bytes of records.
    this.buf = Buffer.allocUnsafeSlow(bufferBytes + BLOCK_HEADER_BYTES);
    this.blockLimit = this.limitFrom(0);
  }

  /** Creates (or truncates) the file at `path`. */
  static create(path: string, options: RecordFileWriterOptions = {}): RecordFileWriter {
    const bufferBytes = options.bufferBytes ?? DEFAULT_RECORD_FILE_BUFFER_BYTES;
    if (!Number.isSafeInteger(bufferBytes) || bufferBytes < 16) {
      throw new RangeError(`bufferBytes must be an integer >= 16, got ${String(bufferBytes)}`);
    }
    return new RecordFileWriter(path, fs.openSync(path, 'w'), bufferBytes, options.onBytes);
  }

  /** Appends one record; the bytes are copied, so the caller may reuse its buffers at once. */
  write(key: Buffer, value: Buffer): void {
    if (this.fd === undefined) throw new Error(`${this.path}: write after close`);
    const keyLength = key.length;
    const valueLength = value.length;
    const size = varintSize(keyLength) + keyLength + varintSize(valueLength) + valueLength;
    if (this.used + size > this.blockLimit && !this.makeRoom(size)) {
      this.writeDirect(key, value);
      return;
    }
    const buf = this.buf;
    let p = writeVarint(buf, this.used, keyLength);
    if (keyLength <= INLINE_COPY_BYTES) {
      for (let i = 0; i < keyLength; i++) buf[p + i] = key[i] as number;
    } else {
      buf.set(key, p);
    }
    p = writeVarint(buf, p + keyLength, valueLength);
    if (valueLength <= INLINE_COPY_BYTES) {
      for (let i = 0; i < valueLength; i++) buf[p + i] = value[i] as number;
    } else {
      buf.set(value, p);
    }
    this.used = p + valueLength;
  }

  /**
   * Appends the record of a string key and a number or string value, encoded straight into
   * the buffer with the bytes `encodeKey` and `encodeValue` give (a reduce's emit of a word
   * and its count: no Buffer and no msgpackr call per record). Returns false, having written
   * nothing, when the pair needs those encoders (a key with a NUL or a lone surrogate, or a
   * record bigger than a block).
   */
  writeScalarPair(key: string, value: number | string): boolean {
    if (this.fd === undefined) throw new Error(`${this.path}: write after close`);
    // Varints sized for the longest encodings, moved down when the bytes came out shorter.
    const keyRoom = 3 * key.length + 2;
    const valueRoom = scalarValueRoom(value);
    const keyHead = varintSize(keyRoom);
    const valueHead = varintSize(valueRoom);
    const room = keyHead + keyRoom + valueHead + valueRoom;
    if (this.used + room > this.blockLimit && !this.makeRoom(room)) return false;
    const buf = this.buf;
    const offset = this.used;
    const keyEnd = writeStringKeyAt(key, buf, offset + keyHead);
    if (keyEnd < 0) return false;
    const keyLength = keyEnd - offset - keyHead;
    const keyStart = frameBehindReservedVarint(buf, offset, keyHead, keyEnd);
    const valueAt = keyStart + keyLength;
    const valueEnd = writeScalarValueAt(value, buf, valueAt + valueHead);
    const valueLength = valueEnd - valueAt - valueHead;
    this.used = frameBehindReservedVarint(buf, valueAt, valueHead, valueEnd) + valueLength;
    return true;
  }

  /**
   * Appends whole records already framed as this file frames them, src[start, end): one
   * copy where {@link write} frames a key and a value. The caller vouches for the framing,
   * and that a call holding several records is not bigger than a block.
   */
  writeRecordBytes(src: Buffer, start: number, end: number): void {
    if (this.fd === undefined) throw new Error(`${this.path}: write after close`);
    const length = end - start;
    if (this.used + length > this.blockLimit && !this.makeRoom(length)) {
      this.writeBlockDirect([src.subarray(start, end)]);
      return;
    }
    const buf = this.buf;
    const used = this.used;
    // A record of a word and its count is a dozen bytes: a loop is cheaper than a native call.
    if (length <= INLINE_RECORD_COPY_BYTES) for (let i = 0; i < length; i++) buf[used + i] = src[start + i] as number;
    else src.copy(buf, used, start, end);
    this.used = used + length;
  }

  /**
   * Appends bytes that are not records, outside any block, such as a trailer after the
   * last record (readers of the file then stop at a block boundary before them).
   */
  writeRaw(bytes: Buffer): void {
    if (this.fd === undefined) throw new Error(`${this.path}: write after close`);
    this.endBlock();
    if (this.blockStart + bytes.length > this.buf.length) {
      this.flush();
      if (bytes.length > this.buf.length) {
        this.writeAll(bytes, 0, bytes.length);
        return;
      }
    }
    this.buf.set(bytes, this.blockStart);
    this.startBlockAt(this.blockStart + bytes.length);
  }

  /**
   * Ends the current block, so the next record starts a new one at {@link position}: a
   * partition of a map output is then a whole number of blocks, readable on its own.
   * Returns the position.
   */
  endBlock(): number {
    const start = this.blockStart;
    const payloadStart = start + BLOCK_HEADER_BYTES;
    const used = this.used;
    if (used > payloadStart) {
      const buf = this.buf;
      writeBlockHeader(buf, start, used - payloadStart, blockChecksum(buf, payloadStart, used));
      this.onBytes?.(buf.subarray(payloadStart, used));
      this.blockCount++;
      this.payload += used - payloadStart;
      this.startBlockAt(used);
    }
    return this.position;
  }

  /** File bytes written so far, buffered ones included (with the current block's header, if it holds a record). */
  get position(): number {
    return this.flushed + (this.used > this.blockStart + BLOCK_HEADER_BYTES ? this.used : this.blockStart);
  }

  /** Record bytes written so far (the file without block headers or raw bytes), and the blocks they are in. */
  get records(): { payloadBytes: number; blocks: number } {
    const open = this.used - this.blockStart - BLOCK_HEADER_BYTES;
    return { payloadBytes: this.payload + open, blocks: this.blockCount + (open > 0 ? 1 : 0) };
  }

  /** Ends the last block, flushes and closes the file; safe to call twice. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    try {
      this.endBlock();
      this.flush();
    } finally {
      this.fd = undefined;
      fs.closeSync(fd);
    }
  }

  /**
   * Makes room for `size` more bytes in a block: ends the current block when it is full,
   * and flushes when the buffer is. False when the bytes are more than a block holds (or
   * the buffer): they then get a block of their own, written around the flushed buffer.
   */
  private makeRoom(size: number): boolean {
    this.endBlock();
    if (this.used + size <= this.blockLimit) return true;
    this.flush();
    return this.used + size <= this.blockLimit;
  }

  private startBlockAt(at: number): void {
    this.blockStart = at;
    this.used = at + BLOCK_HEADER_BYTES;
    this.blockLimit = this.limitFrom(at);
  }

  private limitFrom(at: number): number {
    return Math.min(this.buf.length, at + BLOCK_HEADER_BYTES + MAX_BLOCK_PAYLOAD_BYTES);
  }

  /** Writes the complete blocks; the current block must be empty. */
  private flush(): void {
    if (this.blockStart > 0) this.writeAll(this.buf, 0, this.blockStart);
    this.startBlockAt(0);
  }

  /** A record bigger than the buffer: frame it around the caller's bytes instead of growing the buffer. */
  private writeDirect(key: Buffer, value: Buffer): void {
    const head = Buffer.allocUnsafe(2 * MAX_LENGTH_VARINT_BYTES);
    const keyHead = writeVarint(head, 0, key.length);
    const valueHead = writeVarint(head, keyHead, value.length);
    this.writeBlockDirect([head.subarray(0, keyHead), key, head.subarray(keyHead, valueHead), value]);
  }

  /** Writes one block of the given pieces straight to the file; the buffer must be flushed. */
  private writeBlockDirect(pieces: readonly Buffer[]): void {
    let length = 0;
    let crc = 0;
    for (const piece of pieces) {
      length += piece.length;
      // Node 20's zlib.crc32 returns 0 for some empty views, whatever the running value.
      if (piece.length > 0) crc = zlib.crc32(piece, crc);
    }
    const header = Buffer.allocUnsafe(BLOCK_HEADER_BYTES);
    writeBlockHeader(header, 0, length, crc);
    this.writeAll(header, 0, header.length);
    for (const piece of pieces) {
      this.onBytes?.(piece);
      this.writeAll(piece, 0, piece.length);
    }
    this.blockCount++;
    this.payload += length;
  }

  private writeAll(bytes: Buffer, offset: number, length: number): void {
    const fd = this.fd as number;
    while (length > 0) {
      const n = fs.writeSync(fd, bytes, offset, length);
      offset += n;
      length -= n;
      this.flushed += n;
    }
  }
}

/**
 * Reads the records of a byte range of a record file (which must start and end on block
 * boundaries), block by block into one reused buffer, verifying each block's checksum. `key` and `value` are views into that buffer, valid until the next `next()`,
 * made when first asked for: a merge that copies records whole never makes the value's.
 */
export class RecordFileReader implements RecordSource {
  private fd: number | undefined;
  private buf: Buffer;
  /** File offset of buf[0]. */
  private bufStart: number;
  /** Valid bytes in buf. */
  private len = 0;
  /** Index in buf of the next unread record. */
  private pos = 0;
  /** Index in buf where the current (verified) block's records end. */
  private blockEnd = 0;
  /** The current record in buf: its start, key, value and end (the value ends the record). */
  private recordStart = 0;
  private keyStart = 0;
  private keyEnd = 0;
  private valueStart = 0;
  private valueEnd = 0;
  private currentKey: Buffer | undefined = EMPTY;
  private currentValue: Buffer | undefined = EMPTY;

  private constructor(
    private readonly path: string,
    fd: number,
    start: number,
    private readonly end: number,
    blockBytes: number,
  ) {
    this.fd = fd;
    this.bufStart = start;
    this.buf = Buffer.allocUnsafeSlow(Math.min(blockBytes, end - start));
  }

  /**
   * Opens `path` to read the records in the byte range [start, end), which must start and end
   * on record boundaries; by default the whole file.
   */
  static open(path: string, start = 0, end?: number, options: RecordFileReaderOptions = {}): RecordFileReader {
    const blockBytes = options.blockBytes ?? DEFAULT_RECORD_FILE_BUFFER_BYTES;
    if (!Number.isSafeInteger(blockBytes) || blockBytes < 1) {
      throw new RangeError(`blockBytes must be a positive integer, got ${String(blockBytes)}`);
    }
    const fd = fs.openSync(path, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const stop = end ?? size;
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(stop) || start < 0 || start > stop || stop > size) {
        throw new RangeError(`${path}: byte range [${start}, ${String(end)}) is not within the file's ${size} bytes`);
      }
      return new RecordFileReader(path, fd, start, stop, blockBytes);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** The current record's key (a view, valid until the next `next()`). */
  get key(): Buffer {
    return (this.currentKey ??= this.buf.subarray(this.keyStart, this.keyEnd));
  }

  /** The current record's value (a view, valid until the next `next()`). */
  get value(): Buffer {
    return (this.currentValue ??= this.buf.subarray(this.valueStart, this.valueEnd));
  }

  keyPrefixInto(high: Uint32Array, low: Uint32Array, i: number): void {
    storeKeyPrefix(this.buf, this.keyStart, this.keyEnd - this.keyStart, high, low, i);
  }

  keyEquals(key: Buffer): boolean {
    const start = this.keyStart;
    const n = this.keyEnd - start;
    if (n !== key.length) return false;
    if (n > INLINE_COMPARE_BYTES) return this.buf.compare(key, 0, n, start, this.keyEnd) === 0;
    const buf = this.buf;
    for (let i = 0; i < n; i++) if (buf[start + i] !== key[i]) return false;
    return true;
  }

  compareKeyTo(other: RecordSource): number {
    if (other instanceof RecordFileReader)
      return this.buf.compare(other.buf, other.keyStart, other.keyEnd, this.keyStart, this.keyEnd);
    return this.key.compare(other.key);
  }

  /** Appends the current record to sink as it is framed in the file: one copy, no views. */
  copyCurrentTo(sink: FramedRecordSink): void {
    sink.writeRecordBytes(this.buf, this.recordStart, this.valueEnd);
  }

  /** File offset of the next unread record: where the current record ends. */
  get offset(): number {
    return this.bufStart + this.pos;
  }

  /**
   * Advances to the next record; false at the end of the range. A block is verified against
   * its checksum before its first record is read. Throws {@link RecordFileError} on a bad
   * block or record.
   */
  next(): boolean {
    if (this.pos >= this.blockEnd) {
      const start = this.bufStart + this.pos;
      if (start >= this.end || this.fd === undefined) return false;
      this.openBlock(start);
    }
    const base = this.pos;
    const limit = this.blockEnd;
    const buf = this.buf;
    const keyStart = readVarint(buf, base, limit, MAX_LENGTH_VARINT_BYTES);
    if (keyStart < 0) throw this.badVarint(keyStart, base);
    const keyEnd = keyStart + varintValue();
    if (keyEnd > limit) throw this.crossing(base);
    const valueStart = readVarint(buf, keyEnd, limit, MAX_LENGTH_VARINT_BYTES);
    if (valueStart < 0) throw this.badVarint(valueStart, base);
    const valueEnd = valueStart + varintValue();
    if (valueEnd > limit) throw this.crossing(base);
    this.recordStart = base;
    this.keyStart = keyStart;
    this.keyEnd = keyEnd;
    this.valueStart = valueStart;
    this.valueEnd = valueEnd;
    this.currentKey = undefined;
    this.currentValue = undefined;
    this.pos = valueEnd;
    return true;
  }

  /** Buffers the whole block whose header is at file offset `start`, checks it, and makes it current. */
  private openBlock(start: number): void {
    if (this.fill(BLOCK_HEADER_BYTES) < BLOCK_HEADER_BYTES) throw this.truncated(start, 'block header');
    const length = this.buf.readUInt32LE(this.pos);
    const crc = this.buf.readUInt32LE(this.pos + 4);
    if (length === 0) throw new RecordFileError(this.path, start, 'corrupt block header (an empty block)');
    if (start + BLOCK_HEADER_BYTES + length > this.end) {
      throw new RecordFileError(
        this.path,
        start,
        `a block of ${length} bytes runs past the end of the range at ${this.end} (truncated or corrupt)`,
      );
    }
    if (this.fill(BLOCK_HEADER_BYTES + length) < BLOCK_HEADER_BYTES + length) throw this.truncated(start, 'block');
    const payload = this.pos + BLOCK_HEADER_BYTES;
    if (blockChecksum(this.buf, payload, payload + length) !== crc) {
      throw new RecordFileError(this.path, start, `checksum mismatch in a block of ${length} bytes`);
    }
    this.pos = payload;
    this.blockEnd = payload + length;
  }

  /** Closes the file and drops the buffer; safe to call twice. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    this.buf = EMPTY;
    this.len = 0;
    this.pos = 0;
    this.blockEnd = 0;
    this.currentKey = EMPTY;
    this.currentValue = EMPTY;
    this.recordStart = this.keyStart = this.keyEnd = this.valueStart = this.valueEnd = 0;
    fs.closeSync(fd);
  }

  /**
   * Makes at least `need` bytes available from pos, or all that remain of the range (fewer
   * only if the file is shorter than the range). Returns the number available. Never
   * buffers beyond the range, so a corrupt length cannot trigger a huge allocation.
   */
  private fill(need: number): number {
    const avail = this.len - this.pos;
    if (avail >= need || this.bufStart + this.len >= this.end) return avail;
    const target = Math.min(need, this.end - this.bufStart - this.pos);
    if (target > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(
        Math.max(target, Math.min(this.buf.length * 2, this.end - this.bufStart - this.pos)),
      );
      this.buf.copy(grown, 0, this.pos, this.len);
      this.buf = grown;
    } else if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.len);
    }
    this.bufStart += this.pos;
    this.len = avail;
    this.pos = 0;
    const fd = this.fd as number;
    while (this.len < target) {
      const fileNext = this.bufStart + this.len;
      const n = fs.readSync(
        fd,
        this.buf,
        this.len,
        Math.min(this.buf.length - this.len, this.end - fileNext),
        fileNext,
      );
      if (n === 0) break;
      this.len += n;
    }
    return this.len;
  }

  /** A length varint of the record at `recordStart` that runs past its block or is too long (readVarint's answer). */
  private badVarint(answer: number, recordStart: number): RecordFileError {
    if (answer !== VARINT_TOO_LONG) return this.crossing(recordStart);
    return new RecordFileError(
      this.path,
      this.bufStart + recordStart,
      `corrupt record (length varint longer than ${MAX_LENGTH_VARINT_BYTES} bytes)`,
    );
  }

  /** The file is shorter than the range: it ends inside the block at `start`. */
  private truncated(start: number, what: string): RecordFileError {
    return new RecordFileError(
      this.path,
      start,
      `truncated ${what} (the file ends before the range's end at ${this.end})`,
    );
  }

  /** A record in a verified block runs past the block's end: the writer never does that. */
  private crossing(recordStart: number): RecordFileError {
    return new RecordFileError(
      this.path,
      this.bufStart + recordStart,
      'corrupt record (it runs past the end of its block)',
    );
  }
}
