import * as fs from 'node:fs';
import { storeKeyPrefix } from './record-source.js';
import type { FramedRecordSink, RecordSource } from './record-source.js';

/**
 * Record files: a plain sequence of framed records, each `varint(key length) key
 * varint(value length) value` (unsigned LEB128). No header, so a byte range of a file that
 * starts and ends on record boundaries (a partition of a map output) is itself a valid
 * record file, and can be streamed to a reducer as is.
 */

/** Default size of a writer's buffer and of a reader's block: large enough to make syscalls rare. */
export const DEFAULT_RECORD_FILE_BUFFER_BYTES = 1024 * 1024;

/** Keys and values up to this long are copied by a loop: cheaper than a native call. */
const INLINE_COPY_BYTES = 16;

/** Keys up to this long are compared for equality by a loop: cheaper than a native call. */
const INLINE_COMPARE_BYTES = 32;

/** Lengths are below 2^35 (Buffers are smaller), so a longer varint can only be corruption. */
const MAX_VARINT_BYTES = 5;

const EMPTY = Buffer.alloc(0);

/** A record file is truncated or corrupt; names the file and the byte offset of the bad record. */
export class RecordFileError extends Error {
  constructor(
    readonly path: string,
    readonly offset: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${reason} at offset ${offset}`, options);
    this.name = 'RecordFileError';
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

/** Writes a record file through one reused buffer, synchronously. */
export class RecordFileWriter implements FramedRecordSink {
  private fd: number | undefined;
  private readonly buf: Buffer;
  private used = 0;
  private flushed = 0;

  private constructor(
    private readonly path: string,
    fd: number,
    bufferBytes: number,
    private readonly onBytes: ((bytes: Buffer) => void) | undefined,
  ) {
    this.fd = fd;
    this.buf = Buffer.allocUnsafeSlow(bufferBytes);
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
    const buf = this.buf;
    if (this.used + size > buf.length) {
      this.flush();
      if (size > buf.length) {
        this.writeDirect(key, value);
        return;
      }
    }
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
   * Appends whole records already framed as this file frames them, src[start, end): one
   * copy where {@link write} frames a key and a value. The caller vouches for the framing.
   */
  writeRecordBytes(src: Buffer, start: number, end: number): void {
    if (this.fd === undefined) throw new Error(`${this.path}: write after close`);
    const length = end - start;
    const buf = this.buf;
    if (this.used + length > buf.length) {
      this.flush();
      if (length > buf.length) {
        this.writeAll(src, start, length);
        return;
      }
    }
    src.copy(buf, this.used, start, end);
    this.used += length;
  }

  /**
   * Appends bytes that are not a record, such as a trailer after the last one (readers of
   * the file then stop at a record boundary before them); copied like a record's.
   */
  writeRaw(bytes: Buffer): void {
    if (this.fd === undefined) throw new Error(`${this.path}: write after close`);
    if (this.used + bytes.length > this.buf.length) {
      this.flush();
      if (bytes.length > this.buf.length) {
        this.writeAll(bytes, 0, bytes.length);
        return;
      }
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Bytes written so far, buffered ones included: the offset the next record will start at. */
  get position(): number {
    return this.flushed + this.used;
  }

  /** Flushes and closes the file; safe to call twice. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    try {
      this.flush();
    } finally {
      this.fd = undefined;
      fs.closeSync(fd);
    }
  }

  private flush(): void {
    if (this.used > 0) this.writeAll(this.buf, 0, this.used);
    this.used = 0;
  }

  /** A record bigger than the buffer: frame it around the caller's bytes instead of growing the buffer. */
  private writeDirect(key: Buffer, value: Buffer): void {
    const head = Buffer.allocUnsafe(MAX_VARINT_BYTES);
    this.writeAll(head, 0, writeVarint(head, 0, key.length));
    this.writeAll(key, 0, key.length);
    this.writeAll(head, 0, writeVarint(head, 0, value.length));
    this.writeAll(value, 0, value.length);
  }

  private writeAll(bytes: Buffer, offset: number, length: number): void {
    const fd = this.fd as number;
    this.onBytes?.(bytes.subarray(offset, offset + length));
    while (length > 0) {
      const n = fs.writeSync(fd, bytes, offset, length);
      offset += n;
      length -= n;
      this.flushed += n;
    }
  }
}

/**
 * Reads the records of a byte range of a record file, block by block into one reused
 * buffer. `key` and `value` are views into that buffer, valid until the next `next()`,
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
  /** Set by readVarint: index just past the varint, relative to pos. */
  private varintEnd = 0;
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
    if (other instanceof RecordFileReader) return this.buf.compare(other.buf, other.keyStart, other.keyEnd, this.keyStart, this.keyEnd);
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

  /** Advances to the next record; false at the end of the range. Throws {@link RecordFileError} on a bad record. */
  next(): boolean {
    const start = this.bufStart + this.pos;
    if (start >= this.end || this.fd === undefined) return false;
    // Offsets below are relative to pos, because fill() may move the buffered bytes.
    let avail = this.fill(MAX_VARINT_BYTES);
    const keyLength = this.readVarint(0, avail, start);
    const keyStart = this.varintEnd;
    let rel = keyStart + keyLength;
    avail = this.fill(rel + MAX_VARINT_BYTES);
    const valueLength = this.readVarint(rel, avail, start);
    const valueStart = this.varintEnd;
    rel = valueStart + valueLength;
    if (this.fill(rel) < rel) throw this.truncated(start);
    const base = this.pos;
    this.recordStart = base;
    this.keyStart = base + keyStart;
    this.keyEnd = base + keyStart + keyLength;
    this.valueStart = base + valueStart;
    this.valueEnd = base + rel;
    this.currentKey = undefined;
    this.currentValue = undefined;
    this.pos = base + rel;
    return true;
  }

  /** Closes the file and drops the buffer; safe to call twice. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    this.buf = EMPTY;
    this.len = 0;
    this.pos = 0;
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
      const grown = Buffer.allocUnsafeSlow(Math.max(target, Math.min(this.buf.length * 2, this.end - this.bufStart - this.pos)));
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
      const n = fs.readSync(fd, this.buf, this.len, Math.min(this.buf.length - this.len, this.end - fileNext), fileNext);
      if (n === 0) break;
      this.len += n;
    }
    return this.len;
  }

  private readVarint(rel: number, avail: number, recordStart: number): number {
    const buf = this.buf;
    const base = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (rel + i >= avail) throw this.truncated(recordStart);
      const b = buf[base + rel + i] as number;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.varintEnd = rel + i + 1;
        return result;
      }
      scale *= 128;
    }
    throw new RecordFileError(this.path, recordStart, `corrupt record (length varint longer than ${MAX_VARINT_BYTES} bytes)`);
  }

  private truncated(recordStart: number): RecordFileError {
    return new RecordFileError(this.path, recordStart, `truncated record (range ends at ${this.end})`);
  }
}

/** Bytes of the unsigned LEB128 encoding of a length (the record framing). */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  return 5;
}

/** Writes n as unsigned LEB128 at buf[p]; returns the index after it. */
export function writeVarint(buf: Buffer, p: number, n: number): number {
  while (n >= 0x80) {
    buf[p++] = (n & 0x7f) | 0x80;
    // Division, not >>> 7: lengths may exceed 2^31.
    n = Math.floor(n / 128);
  }
  buf[p++] = n;
  return p;
}
