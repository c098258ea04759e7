import { Packr } from 'msgpackr';
import { isWellFormed } from './key-codec.js';
import { writeUtf8 } from './utf8-write.js';

/**
 * Values travel as MessagePack: compact, fast, and it round-trips what users emit
 * (numbers, strings, arrays, plain objects, Dates, bigints, binary; a Map comes back as a
 * plain object and a Set as an array).
 * `useRecords: false` keeps every encoded value self-describing, so a value can be
 * decoded alone, in any process, without shared structure state.
 */
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'bigint', useBigIntExtension: true });

/** Encodes one value. */
export function encodeValue(value: unknown): Buffer {
  return packr.pack(value);
}

/** MessagePack string headers: fixstr (length in the tag), str8, str16, str32. */
const MSGPACK_FIXSTR = 0xa0;
const MSGPACK_STR8 = 0xd9;
const MSGPACK_STR16 = 0xda;
const MSGPACK_STR32 = 0xdb;

/**
 * The size of a string value's encoding, for {@link writeStringValue}; -1 for a string
 * that must go through {@link encodeValue} (one with a lone surrogate, whose bytes are
 * msgpackr's business).
 */
export function encodedStringValueSize(value: string): number {
  if (!isWellFormed(value)) return -1;
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes + stringHeaderSize(bytes);
}

/**
 * Writes a string value at buf[offset] exactly as {@link encodeValue} encodes it (the
 * smallest MessagePack string header for its UTF-8 length, then the UTF-8), without a
 * Buffer of its own: the map side encodes string values straight into its slabs. `size`
 * is {@link encodedStringValueSize}'s answer (not -1). Returns the offset after it.
 */
export function writeStringValue(buf: Buffer, offset: number, value: string, size: number): number {
  // Each header length has its own range of sizes: <= 32, 34-257, 259-65538, >= 65541.
  const header = size > 0x10004 ? 5 : size > 0x101 ? 3 : size > 0x20 ? 2 : 1;
  const bytes = size - header;
  if (header === 1) {
    buf[offset] = MSGPACK_FIXSTR | bytes;
  } else if (header === 2) {
    buf[offset] = MSGPACK_STR8;
    buf[offset + 1] = bytes;
  } else if (header === 3) {
    buf[offset] = MSGPACK_STR16;
    buf[offset + 1] = bytes >>> 8;
    buf[offset + 2] = bytes & 0xff;
  } else {
    buf[offset] = MSGPACK_STR32;
    buf.writeUInt32BE(bytes, offset + 1);
  }
  if (bytes > 0) writeUtf8(buf, value, offset + header, bytes);
  return offset + size;
}

/** Header bytes of a MessagePack string of `bytes` UTF-8 bytes. */
function stringHeaderSize(bytes: number): number {
  return bytes < 0x20 ? 1 : bytes < 0x100 ? 2 : bytes < 0x10000 ? 3 : 5;
}

/** Decodes one value encoded by {@link encodeValue}. */
export function decodeValue(bytes: Uint8Array): unknown {
  const scalar = decodeScalar(bytes);
  return scalar === NOT_SCALAR ? packr.unpack(bytes) : scalar;
}

const NOT_SCALAR = Symbol('not a scalar');

/**
 * The MessagePack encodings of a lone number, boolean or null, decoded without msgpackr.
 * Counts and sums are most of what a reducer reads, and a call into `unpack` costs more
 * than the value: it was 14% of a word count's reduce. Anything else (or any length that
 * does not match its type byte exactly) is left to msgpackr.
 */
function decodeScalar(b: Uint8Array): unknown {
  const n = b.length;
  if (n === 0) return NOT_SCALAR;
  const t = b[0] as number;
  if (n === 1) {
    if (t < 0x80) return t; // positive fixint
    if (t >= 0xe0) return t - 0x100; // negative fixint
    if (t === 0xc0) return null;
    if (t === 0xc2) return false;
    if (t === 0xc3) return true;
    return NOT_SCALAR;
  }
  const b1 = b[1] as number;
  switch (t) {
    case 0xcc: // uint8
      return n === 2 ? b1 : NOT_SCALAR;
    case 0xcd: // uint16
      return n === 3 ? (b1 << 8) | (b[2] as number) : NOT_SCALAR;
    case 0xce: // uint32
      return n === 5 ? b1 * 0x1000000 + (((b[2] as number) << 16) | ((b[3] as number) << 8) | (b[4] as number)) : NOT_SCALAR;
    case 0xd0: // int8
      return n === 2 ? (b1 << 24) >> 24 : NOT_SCALAR;
    case 0xd1: // int16
      return n === 3 ? (((b1 << 8) | (b[2] as number)) << 16) >> 16 : NOT_SCALAR;
    case 0xd2: // int32
      return n === 5 ? (b1 << 24) | ((b[2] as number) << 16) | ((b[3] as number) << 8) | (b[4] as number) : NOT_SCALAR;
    case 0xcb: // float64
      return n === 9 ? new DataView(b.buffer, b.byteOffset, 9).getFloat64(1) : NOT_SCALAR;
    default:
      return NOT_SCALAR;
  }
}
