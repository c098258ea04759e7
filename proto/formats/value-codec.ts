import { Packr } from 'msgpackr';
import { GrooveError } from '../../common/index.js';
import { writeUtf8 } from './utf8-write.js';

/**
 * Values travel as MessagePack: compact, fast, and it round-trips what users emit
 * (numbers, strings, arrays, plain objects, Dates, bigints, binary; a Map comes back as a
 * plain object and a Set as an array).
 * `useRecords: false` keeps every encoded value self-describing, so a value can be
 * decoded alone, in any process, without shared structure state.
 */
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'bigint', useBigIntExtension: true });

/**
 * What msgpackr writes for `undefined`, and for a function (which it stores as undefined):
 * fixext1 of type 0. A value whose encoding holds these three bytes is walked to find
 * out; any other encoding cannot hold an undefined or a function, so the walk is skipped.
 */
const UNDEFINED_BYTES = Buffer.from([0xd4, 0x00, 0x00]);

/** How deep {@link findUnstorable} follows nested values; deeper ones are refused (msgpackr overflows its stack near there). */
const MAX_VALUE_DEPTH = 1000;

/**
 * A value that MessagePack cannot carry as it is: undefined, a function or a Symbol
 * anywhere in it, or a cycle. msgpackr would store the first two as null-like markers and
 * drop what the user emitted, so they are refused like the others, by the path inside the
 * value and, once the emit site adds it, the key.
 */
export class UnstorableValueError extends GrooveError {
  constructor(
    readonly problem: string,
    readonly key?: unknown,
  ) {
    super(
      `${key === undefined ? 'a value' : `the value emitted for key ${describeKey(key)}`} cannot be stored: ${problem}`,
    );
  }

  /** The same error naming the key the value was emitted with. */
  withKey(key: unknown): UnstorableValueError {
    return new UnstorableValueError(this.problem, key);
  }
}

function describeKey(key: unknown): string {
  try {
    return JSON.stringify(key) ?? String(key);
  } catch {
    return String(key);
  }
}

/**
 * Encodes one value.
 * @throws UnstorableValueError for a value holding undefined, a function, a Symbol or a cycle.
 */
export function encodeValue(value: unknown): Buffer {
  let bytes: Buffer;
  try {
    bytes = packr.pack(value);
  } catch (err) {
    // Symbols and cycles make msgpackr throw ("Unknown type", a stack overflow): say which part it was.
    const problem = findUnstorable(value);
    if (problem !== undefined) throw new UnstorableValueError(problem);
    throw err;
  }
  if (mayHoldUndefined(bytes)) {
    const problem = findUnstorable(value);
    if (problem !== undefined) throw new UnstorableValueError(problem);
  }
  return bytes;
}

/** Whether `b` holds msgpackr's undefined marker (or the same bytes inside other data). */
function mayHoldUndefined(b: Buffer): boolean {
  const n = b.length - 2;
  // A native search costs a call into C++, several times a short loop's time: most
  // values are small objects and arrays of a few dozen bytes.
  if (n > SHORT_SEARCH_BYTES) return b.indexOf(UNDEFINED_BYTES) !== -1;
  for (let i = 0; i < n; i++) if (b[i] === 0xd4 && b[i + 1] === 0 && b[i + 2] === 0) return true;
  return false;
}

/** Encodings up to this long are searched by a loop, longer ones natively. */
const SHORT_SEARCH_BYTES = 128;

/** {@link encodeValue} for a value emitted with `key`: its error names the key. */
export function encodeValueOf(key: unknown, value: unknown): Buffer {
  try {
    return encodeValue(value);
  } catch (err) {
    throw err instanceof UnstorableValueError ? err.withKey(key) : err;
  }
}

/**
 * Refuses, as {@link encodeValue} would, a value that is kept unencoded for now (the
 * in-mapper combining tables), so that a bad value fails at its emit whatever path it
 * takes. Numbers and strings return at once.
 * @throws UnstorableValueError naming `key`.
 */
export function checkValue(key: unknown, value: unknown): void {
  const t = typeof value;
  if (t === 'number' || t === 'string' || t === 'boolean' || t === 'bigint' || value === null) return;
  const problem = findUnstorable(value);
  if (problem !== undefined) throw new UnstorableValueError(problem, key);
}

/**
 * What in `value` MessagePack cannot carry, as a path and a type ("value.f is a function",
 * "value[1] is undefined"), or undefined if nothing. It follows what msgpackr encodes:
 * array elements (a hole is undefined), own enumerable properties of objects (an
 * undefined property is refused too: msgpackr would keep it as a marker that JSON output
 * drops, which silently changes the data), Map values, Set elements, and what a class instance's
 * `toJSON` returns; binary data, Dates, RegExps and Errors are leaves.
 */
export function findUnstorable(value: unknown, where = 'value', ancestors: unknown[] = []): string | undefined {
  switch (typeof value) {
    case 'undefined':
      return `${where} is undefined`;
    case 'function':
      return `${where} is a function`;
    case 'symbol':
      return `${where} is a Symbol`;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  if (value instanceof Date || value instanceof RegExp || value instanceof Error) return undefined;
  if (ancestors.includes(value)) return `${where} is circular (it contains itself)`;
  if (ancestors.length >= MAX_VALUE_DEPTH) return `${where} is nested more than ${MAX_VALUE_DEPTH} levels deep`;
  ancestors.push(value);
  try {
    return findInside(value, where, ancestors);
  } finally {
    ancestors.pop();
  }
}

function findInside(value: object, where: string, ancestors: unknown[]): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = findUnstorable(value[i], `${where}[${i}]`, ancestors);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const problem = findUnstorable(v, `${where}.get(${describeKey(k)})`, ancestors);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const v of value) {
      const problem = findUnstorable(v, `${where} (Set element ${i++})`, ancestors);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  // msgpackr asks toJSON of class instances only; a plain object's toJSON is just a (function) property.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function' && value.constructor !== Object)
    return findUnstorable(toJSON.call(value), `${where}.toJSON()`, ancestors);
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const name = /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
    const problem = findUnstorable((value as Record<string, unknown>)[k], `${where}${name}`, ancestors);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * Bytes that {@link writeScalarValueAt} may need for `value`, or -1 if it does not take
 * such values (only numbers and strings: what most jobs emit).
 */
export function scalarValueRoom(value: unknown): number {
  if (typeof value === 'string') return 3 * value.length + 5;
  return typeof value === 'number' ? 9 : -1;
}

/**
 * Writes the same bytes as {@link encodeValue} for a number or string at `offset` of
 * `buf`, which must have {@link scalarValueRoom} bytes there, and returns the offset after
 * them. Lets the map side encode values straight into its buffer: msgpackr's `pack`
 * allocates a Buffer per value and was, with the key's, the largest per-record cost of a
 * sort's map.
 */
export function writeScalarValueAt(value: number | string, buf: Buffer, offset: number): number {
  if (typeof value === 'string') {
    // The header's size depends on the UTF-8 length, known only once written: write after
    // the largest header the string could need, then move the bytes down if it was smaller.
    const max = 3 * value.length;
    const room = max < 0x20 ? 1 : max < 0x100 ? 2 : max < 0x10000 ? 3 : 5;
    const n = writeUtf8(buf, value, offset + room, max);
    const header = n < 0x20 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
    if (header < room) buf.copyWithin(offset + header, offset + room, offset + room + n);
    if (header === 1) buf[offset] = 0xa0 | n;
    else if (header === 2) {
      buf[offset] = 0xd9;
      buf[offset + 1] = n;
    } else if (header === 3) {
      buf[offset] = 0xda;
      buf.writeUInt16BE(n, offset + 1);
    } else {
      buf[offset] = 0xdb;
      buf.writeUInt32BE(n, offset + 1);
    }
    return offset + header + n;
  }
  // msgpackr's choices, byte for byte: the smallest integer format, else a float64 (-0
  // becomes 0, as msgpackr writes it).
  if (value >>> 0 === value) {
    if (value < 0x80) {
      buf[offset] = value;
      return offset + 1;
    }
    if (value < 0x100) {
      buf[offset] = 0xcc;
      buf[offset + 1] = value;
      return offset + 2;
    }
    if (value < 0x10000) {
      buf[offset] = 0xcd;
      buf.writeUInt16BE(value, offset + 1);
      return offset + 3;
    }
    buf[offset] = 0xce;
    buf.writeUInt32BE(value, offset + 1);
    return offset + 5;
  }
  if (value >> 0 === value) {
    if (value >= -0x20) {
      buf[offset] = value & 0xff;
      return offset + 1;
    }
    if (value >= -0x80) {
      buf[offset] = 0xd0;
      buf[offset + 1] = value & 0xff;
      return offset + 2;
    }
    if (value >= -0x8000) {
      buf[offset] = 0xd1;
      buf.writeInt16BE(value, offset + 1);
      return offset + 3;
    }
    buf[offset] = 0xd2;
    buf.writeInt32BE(value, offset + 1);
    return offset + 5;
  }
  buf[offset] = 0xcb;
  buf.writeDoubleBE(value, offset + 1);
  return offset + 9;
}

/** Decodes one value encoded by {@link encodeValue}. */
export function decodeValue(bytes: Uint8Array): unknown {
  const scalar = decodeScalar(bytes);
  return scalar === NOT_SCALAR ? packr.unpack(bytes) : scalar;
}

const NOT_SCALAR = Symbol('not a scalar');

/**
 * The MessagePack encodings of a lone number, boolean, null or ASCII string, decoded
 * without msgpackr. Counts, sums and names are most of what a reducer reads, and a call
 * into `unpack` costs more than the value: it was 14% of a word count's reduce, and 14% of
 * a reduce reading file names. Anything else (or any length that does not match its type
 * byte exactly) is left to msgpackr, so it alone decides how to read other strings.
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
    if (t === 0xa0) return '';
    return NOT_SCALAR;
  }
  if (t >= 0xa0 && t <= 0xbf) return n === 1 + (t & 0x1f) ? asciiString(b, 1) : NOT_SCALAR; // fixstr
  const b1 = b[1] as number;
  switch (t) {
    case 0xcc: // uint8
      return n === 2 ? b1 : NOT_SCALAR;
    case 0xcd: // uint16
      return n === 3 ? (b1 << 8) | (b[2] as number) : NOT_SCALAR;
    case 0xce: // uint32
      return n === 5
        ? b1 * 0x1000000 + (((b[2] as number) << 16) | ((b[3] as number) << 8) | (b[4] as number))
        : NOT_SCALAR;
    case 0xd0: // int8
      return n === 2 ? (b1 << 24) >> 24 : NOT_SCALAR;
    case 0xd1: // int16
      return n === 3 ? (((b1 << 8) | (b[2] as number)) << 16) >> 16 : NOT_SCALAR;
    case 0xd2: // int32
      return n === 5 ? (b1 << 24) | ((b[2] as number) << 16) | ((b[3] as number) << 8) | (b[4] as number) : NOT_SCALAR;
    case 0xcb: // float64
      return n === 9 ? new DataView(b.buffer, b.byteOffset, 9).getFloat64(1) : NOT_SCALAR;
    case 0xd9: // str8
      return n === 2 + b1 ? asciiString(b, 2) : NOT_SCALAR;
    case 0xda: // str16
      return n === 3 + ((b1 << 8) | (b[2] as number)) ? asciiString(b, 3) : NOT_SCALAR;
    default:
      return NOT_SCALAR;
  }
}

/** The bytes of `b` from `start` on as a string if they are all ASCII (where every decoder agrees), else NOT_SCALAR. */
function asciiString(b: Uint8Array, start: number): string | typeof NOT_SCALAR {
  const n = b.length;
  for (let i = start; i < n; i++) if ((b[i] as number) >= 0x80) return NOT_SCALAR;
  const buf = b instanceof Buffer ? b : Buffer.from(b.buffer, b.byteOffset, n);
  return buf.toString('latin1', start, n);
}
