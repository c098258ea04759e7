import { isUtf8 } from 'node:buffer';
import { decodeKey } from './key-codec.js';
import { decodeValue } from './value-codec.js';
import { formatRecord } from './result-line.js';
import type { ResultFormat } from './result-line.js';
import { MAX_LENGTH_VARINT_BYTES, readVarint, VARINT_TOO_LONG, varintValue } from './varint.js';

const EMPTY = Buffer.alloc(0);

/** Tag and terminator of a string key (docs/keys.md: `20` + UTF-8, `00` escaped as `00 FF`, then `00`). */
const KEY_TAG_STRING = 0x20;
const KEY_END = 0x00;

/** MessagePack string headers: fixstr 0xa0-0xbf, str 8/16/32. */
const MSGPACK_FIXSTR_MASK = 0xe0;
const MSGPACK_FIXSTR = 0xa0;
const MSGPACK_STR8 = 0xd9;
const MSGPACK_STR16 = 0xda;
const MSGPACK_STR32 = 0xdb;

const TAB = 0x09;
const NEWLINE = 0x0a;

/** Bytes of a new chunk joined to the previous chunk's unconsumed tail to complete the record between them. */
const JOIN_BYTES = 64 * 1024;

/** Ranges up to this long are copied by a loop: cheaper than a native call. */
const INLINE_COPY_BYTES = 16;

/**
 * Turns the bytes of a part file (the record-file format), arriving in chunks of any
 * size, into result lines: exactly the bytes of `formatRecord(key, value) + '\n'` per
 * record, UTF-8.
 *
 * In text format a record whose key and value are both strings (the common case, and
 * every record of a sort) is converted without decoding: the key's and the value's UTF-8
 * bytes are copied between a tab and a newline. Decoding them to strings and encoding
 * them back would give the same bytes as long as they are valid UTF-8, which is checked
 * once per chunk (a line's tab and newline cannot complete a broken sequence, so the
 * lines are valid exactly when the whole output is); a chunk that fails the check is
 * converted again record by record through the codecs, as is any other record.
 */
export class ResultTextEncoder {
  private pending: Buffer = EMPTY;
  private out: Buffer = EMPTY;
  private outLength = 0;
  private count = 0;
  /** Records converted by the current pass. */
  private passRecords = 0;
  private readonly rawStrings: boolean;
  /** Until a record says otherwise, the stream is taken to hold string records only (see convertAllRaw). */
  private allRaw = true;

  constructor(private readonly format: ResultFormat) {
    this.rawStrings = format === 'text';
  }

  /** Records converted so far. */
  get records(): number {
    return this.count;
  }

  /**
   * Converts the records the chunk completes. Returns their lines, a view valid until the
   * next call (empty when the chunk completes none).
   */
  push(chunk: Buffer): Buffer {
    const tail = this.pending;
    let rest = this.convertChunk(tail, chunk, this.rawStrings);
    if (this.rawStrings && !isUtf8(this.out.subarray(0, this.outLength))) rest = this.convertChunk(tail, chunk, false);
    this.pending = rest;
    this.count += this.passRecords;
    return this.out.subarray(0, this.outLength);
  }

  /** Throws if the stream ended inside a record. */
  end(): void {
    if (this.pending.length)
      throw new RangeError(`record stream ended inside a record (${this.pending.length} bytes left)`);
  }

  /**
   * One conversion pass over the previous chunk's unconsumed tail and a new chunk, into
   * out from its start. Returns the new unconsumed tail (a copy, so the caller's chunk can
   * be released). Joins the tail only to the head of the chunk, not the whole chunk: the
   * record that straddles them is rarely long.
   */
  private convertChunk(tail: Buffer, chunk: Buffer, rawStrings: boolean): Buffer {
    this.outLength = 0;
    this.passRecords = 0;
    let start = 0;
    if (tail.length) {
      const head = Buffer.concat([tail, chunk.subarray(0, JOIN_BYTES)]);
      const used = this.convert(head, rawStrings);
      if (chunk.length <= JOIN_BYTES) return Buffer.from(head.subarray(used));
      if (used < tail.length) {
        // A record longer than the joined head: join it all.
        const all = Buffer.concat([tail, chunk]);
        return Buffer.from(all.subarray(this.convert(all, rawStrings)));
      }
      start = used - tail.length;
    }
    const body = chunk.subarray(start);
    return Buffer.from(body.subarray(this.convert(body, rawStrings)));
  }

  /** Appends the lines of buf's complete records to out; returns the bytes of buf consumed. */
  private convert(buf: Buffer, rawStrings: boolean): number {
    if (rawStrings && this.allRaw) {
      const consumed = this.convertAllRaw(buf);
      if (consumed >= 0) return consumed;
      // Not a stream of string records: from now on, record by record.
      this.allRaw = false;
    }
    return this.convertEach(buf, rawStrings);
  }

  /**
   * The conversion of a chunk of string records only: the chunk is copied to out once, and
   * each record's line is compacted in place from that copy (a line is never longer than
   * its record, so it never overwrites a record not yet read). Copying within one buffer
   * is the cheapest copy there is: no view object per record, no native call per byte.
   * Returns -1, having changed nothing, at the first record that is not a string key and
   * a string value.
   */
  private convertAllRaw(buf: Buffer): number {
    const n = buf.length;
    const base = this.outLength;
    this.reserve(base + n);
    const out = this.out;
    buf.copy(out, base);
    let o = base;
    let pos = 0;
    let records = 0;
    while (pos < n) {
      if (!readFrame(buf, pos, n)) return this.commit(o, pos, records);
      const { keyStart, keyEnd, valueStart, valueEnd } = frame;
      const stringStart = stringBytesStart(buf, valueStart, valueEnd);
      if (stringStart < 0 || keyEnd - keyStart < 2 || buf[keyStart] !== KEY_TAG_STRING || buf[keyEnd - 1] !== KEY_END)
        return -1;
      for (let i = keyStart + 1; i < keyEnd - 1; i++) {
        const b = buf[i] as number;
        if (b === KEY_END) return -1;
        out[o++] = b;
      }
      out[o++] = TAB;
      out.copyWithin(o, base + stringStart, base + valueEnd);
      o += valueEnd - stringStart;
      out[o++] = NEWLINE;
      records++;
      pos = valueEnd;
    }
    return this.commit(o, pos, records);
  }

  private commit(outLength: number, consumed: number, records: number): number {
    this.outLength = outLength;
    this.passRecords += records;
    return consumed;
  }

  /** Appends the lines of buf's complete records to out, each by the raw path if it can, else through the codecs. */
  private convertEach(buf: Buffer, rawStrings: boolean): number {
    const n = buf.length;
    // Raw lines are never longer than their records, so this is enough unless a record needs the codecs.
    this.reserve(this.outLength + n);
    let pos = 0;
    let records = 0;
    while (pos < n) {
      if (!readFrame(buf, pos, n)) return this.finish(pos, records);
      const { keyStart, keyEnd, valueStart, valueEnd } = frame;
      if (!rawStrings || !this.rawLine(buf, keyStart, keyEnd, valueStart, valueEnd)) {
        const line =
          formatRecord(
            decodeKey(buf.subarray(keyStart, keyEnd)),
            decodeValue(buf.subarray(valueStart, valueEnd)),
            this.format,
          ) + '\n';
        this.reserve(this.outLength + Buffer.byteLength(line, 'utf8') + (n - valueEnd));
        this.outLength += this.out.write(line, this.outLength, 'utf8');
      }
      records++;
      pos = valueEnd;
    }
    return this.finish(pos, records);
  }

  private finish(consumed: number, records: number): number {
    this.passRecords += records;
    return consumed;
  }

  /** Appends `KEY<TAB>VALUE<NL>` from the raw UTF-8 of a string key and a string value; false (nothing written) for any other record. */
  private rawLine(buf: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): boolean {
    // A string key without NUL: tag, UTF-8 with no 00 inside, one 00 at the end.
    if (keyEnd - keyStart < 2 || buf[keyStart] !== KEY_TAG_STRING || buf[keyEnd - 1] !== KEY_END) return false;
    const stringStart = stringBytesStart(buf, valueStart, valueEnd);
    if (stringStart < 0) return false;
    const stringLength = valueEnd - stringStart;
    const out = this.out;
    let o = this.outLength;
    for (let i = keyStart + 1; i < keyEnd - 1; i++) {
      const b = buf[i] as number;
      // An escaped NUL (00 FF): leave the key to the codec.
      if (b === KEY_END) return false;
      out[o++] = b;
    }
    out[o++] = TAB;
    if (stringLength <= INLINE_COPY_BYTES) {
      for (let i = stringStart; i < valueEnd; i++) out[o++] = buf[i] as number;
    } else {
      o += buf.copy(out, o, stringStart, valueEnd);
    }
    out[o++] = NEWLINE;
    this.outLength = o;
    return true;
  }

  /** Makes out hold at least `bytes`, keeping what it has. */
  private reserve(bytes: number): void {
    if (this.out.length >= bytes) return;
    const grown = Buffer.allocUnsafe(Math.max(bytes, this.out.length * 2, 64 * 1024));
    this.out.copy(grown, 0, 0, this.outLength);
    this.out = grown;
  }
}

/**
 * Where the UTF-8 bytes of a MessagePack string start, if the value [start, end) is
 * exactly one string (its header's length matching); -1 for any other value.
 */
function stringBytesStart(buf: Buffer, start: number, end: number): number {
  if (start >= end) return -1;
  const head = buf[start] as number;
  let bytesStart: number;
  let length: number;
  if ((head & MSGPACK_FIXSTR_MASK) === MSGPACK_FIXSTR) {
    bytesStart = start + 1;
    length = head & 0x1f;
  } else if (head === MSGPACK_STR8 && start + 2 <= end) {
    bytesStart = start + 2;
    length = buf[start + 1] as number;
  } else if (head === MSGPACK_STR16 && start + 3 <= end) {
    bytesStart = start + 3;
    length = buf.readUInt16BE(start + 1);
  } else if (head === MSGPACK_STR32 && start + 5 <= end) {
    bytesStart = start + 5;
    length = buf.readUInt32BE(start + 1);
  } else {
    return -1;
  }
  return bytesStart + length === end ? bytesStart : -1;
}

/** Where {@link readFrame} leaves a record's bounds: one object for every call, none per record. */
const frame = { keyStart: 0, keyEnd: 0, valueStart: 0, valueEnd: 0 };

/**
 * Reads the framing of the record at buf[pos] (varint key length, key, varint value
 * length, value) into {@link frame}; false if the record does not end before `n`.
 */
function readFrame(buf: Buffer, pos: number, n: number): boolean {
  const keyStart = readVarintEnd(buf, pos, n);
  if (keyStart < 0) return false;
  const keyEnd = keyStart + varintValue();
  if (keyEnd > n) return false;
  const valueStart = readVarintEnd(buf, keyEnd, n);
  if (valueStart < 0) return false;
  const valueEnd = valueStart + varintValue();
  if (valueEnd > n) return false;
  frame.keyStart = keyStart;
  frame.keyEnd = keyEnd;
  frame.valueStart = valueStart;
  frame.valueEnd = valueEnd;
  return true;
}

/** Reads the length varint at buf[pos] and returns where it ends (its value in varintValue()); -1 if it runs past `n`. */
function readVarintEnd(buf: Buffer, pos: number, n: number): number {
  const end = readVarint(buf, pos, n, MAX_LENGTH_VARINT_BYTES);
  if (end === VARINT_TOO_LONG) throw malformed(pos);
  return end;
}

function malformed(offset: number): RangeError {
  return new RangeError(
    `malformed record stream: varint longer than ${MAX_LENGTH_VARINT_BYTES} bytes at offset ${offset}`,
  );
}
