import { isUtf8 } from 'node:buffer';
import type { Key } from '../../common/index.js';
import { writeUtf8 } from './utf8-write.js';

export type { Key };

// Tag bytes. Their numeric order is the order of the types, and all are above
// END (0x00), so an array that is a proper prefix of another sorts first.
const END = 0x00;
const TAG_NULL = 0x01;
const TAG_FALSE = 0x02;
const TAG_TRUE = 0x03;
const TAG_NUMBER = 0x10;
const TAG_STRING = 0x20;
const TAG_ARRAY = 0x30;
// 0xFF never occurs in UTF-8, so 0x00 0xFF cannot be confused with a terminator
// followed by string bytes.
const ESCAPE = 0xff;

/**
 * Deepest array nesting accepted. Real keys are shallow; the limit turns a cyclic
 * array, or hostile bytes, into a clear error instead of a stack overflow.
 */
const MAX_KEY_DEPTH = 128;

const TYPE_EXPECTED = 'must be a string, number, boolean, null or an array of these';

/** Thrown inside the codec and turned into a TypeError/RangeError with the key path at the top. */
class KeyProblem {
  readonly path: number[] = [];
  constructor(
    readonly kind: 'type' | 'range',
    readonly detail: string,
  ) {}
}

interface WellFormedString {
  isWellFormed(): boolean;
}
// String.prototype.isWellFormed is native in Node 20 but not in the ES2022 typings.
const nativeIsWellFormed = typeof (String.prototype as Partial<WellFormedString>).isWellFormed === 'function';

function loneSurrogateIndex(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/** Whether a string has no lone surrogate (so its UTF-8 is the same whatever encoder makes it). */
export function isWellFormed(s: string): boolean {
  return nativeIsWellFormed ? (s as unknown as WellFormedString).isWellFormed() : loneSurrogateIndex(s) === -1;
}

function describe(x: unknown): string {
  if (typeof x === 'number') return String(x);
  if (typeof x !== 'object' || x === null) return typeof x;
  const name = (x as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `object (${name})` : 'object';
}

function checkNumber(n: number): void {
  if (Number.isNaN(n)) throw new KeyProblem('range', 'must not be NaN, which has no place in the key order');
}

function checkString(s: string): void {
  if (!isWellFormed(s)) {
    throw new KeyProblem(
      'type',
      `is a string with a lone surrogate at index ${loneSurrogateIndex(s)}; string keys must be well-formed Unicode because they are stored as UTF-8`,
    );
  }
}

function nulCount(s: string): number {
  let count = 0;
  for (let i = s.indexOf('\0'); i !== -1; i = s.indexOf('\0', i + 1)) count++;
  return count;
}

/** Validates the whole key and returns its encoded length, so encoding writes into one exact buffer. */
function sizeOf(key: unknown, depth: number): number {
  switch (typeof key) {
    case 'string':
      checkString(key);
      return 2 + Buffer.byteLength(key, 'utf8') + nulCount(key);
    case 'number':
      checkNumber(key);
      return 9;
    case 'boolean':
      return 1;
    case 'object':
      if (key === null) return 1;
      if (Array.isArray(key)) {
        if (depth >= MAX_KEY_DEPTH) {
          throw new KeyProblem('range', `nests arrays deeper than ${MAX_KEY_DEPTH} levels (is it cyclic?)`);
        }
        let size = 2;
        // Indexed loop, not for-of: holes in sparse arrays must be seen (as undefined).
        for (let i = 0; i < key.length; i++) {
          try {
            size += sizeOf(key[i], depth + 1);
          } catch (e) {
            if (e instanceof KeyProblem) e.path.unshift(i);
            throw e;
          }
        }
        return size;
      }
      break;
    default:
      break;
  }
  throw new KeyProblem('type', `${TYPE_EXPECTED}; got ${describe(key)}`);
}

function toError(problem: KeyProblem): Error {
  const where = 'key' + problem.path.map((i) => `[${i}]`).join('');
  const message = `${where} ${problem.detail}`;
  return problem.kind === 'type' ? new TypeError(message) : new RangeError(message);
}

function validatedSize(key: unknown): number {
  try {
    return sizeOf(key, 0);
  } catch (e) {
    throw e instanceof KeyProblem ? toError(e) : e;
  }
}

function writeNumber(n: number, buf: Buffer, offset: number): number {
  buf[offset] = TAG_NUMBER;
  // Normalise -0: it equals 0 as a key and must encode identically.
  buf.writeDoubleBE(n === 0 ? 0 : n, offset + 1);
  // IEEE-754 bits sort like sign-magnitude integers: flipping the sign bit puts positives
  // above negatives, and flipping every bit of a negative reverses its magnitude order.
  if ((buf[offset + 1] as number) & 0x80) {
    for (let i = offset + 1; i < offset + 9; i++) buf[i] = ~(buf[i] as number) & 0xff;
  } else {
    buf[offset + 1] = (buf[offset + 1] as number) | 0x80;
  }
  return offset + 9;
}

function writeString(s: string, buf: Buffer, offset: number): number {
  buf[offset++] = TAG_STRING;
  let from = 0;
  for (let nul = s.indexOf('\0'); nul !== -1; nul = s.indexOf('\0', from)) {
    offset += buf.write(s.slice(from, nul), offset, 'utf8');
    buf[offset++] = 0x00;
    buf[offset++] = ESCAPE;
    from = nul + 1;
  }
  offset += buf.write(from === 0 ? s : s.slice(from), offset, 'utf8');
  buf[offset++] = END;
  return offset;
}

function writeKey(key: Key, buf: Buffer, offset: number): number {
  if (typeof key === 'string') return writeString(key, buf, offset);
  if (typeof key === 'number') return writeNumber(key, buf, offset);
  if (key === null) {
    buf[offset] = TAG_NULL;
    return offset + 1;
  }
  if (key === true) {
    buf[offset] = TAG_TRUE;
    return offset + 1;
  }
  if (key === false) {
    buf[offset] = TAG_FALSE;
    return offset + 1;
  }
  buf[offset++] = TAG_ARRAY;
  for (let i = 0; i < key.length; i++) offset = writeKey(key[i] as Key, buf, offset);
  buf[offset++] = END;
  return offset;
}

/**
 * Encodes a key so that `Buffer.compare` on encodings agrees with {@link compareKeys},
 * and two keys have the same bytes exactly when they are the same key.
 *
 * Layout (FoundationDB tuple-layer style), one tag byte per element:
 * `0x01` null, `0x02` false, `0x03` true,
 * `0x10` + 8 bytes float64 big-endian (sign bit flipped for positives, all bits for negatives),
 * `0x20` + UTF-8 with `0x00` escaped as `0x00 0xFF` + `0x00`,
 * `0x30` + elements + `0x00`.
 *
 * @throws TypeError if the key (or an element) is not a {@link Key}, or is a string with a
 *   lone surrogate; RangeError for NaN or arrays nested deeper than 128 levels. The
 *   message names the offending element, e.g. `key[1][0]`.
 */
export function encodeKey(key: Key): Buffer {
  // Fast paths: string and number keys are on the hot path of every emit.
  if (typeof key === 'string') {
    if (key.indexOf('\0') === -1 && isWellFormed(key)) {
      const length = Buffer.byteLength(key, 'utf8');
      const buf = Buffer.allocUnsafe(length + 2);
      buf[0] = TAG_STRING;
      writeUtf8(buf, key, 1, length);
      buf[length + 1] = END;
      return buf;
    }
  } else if (typeof key === 'number' && !Number.isNaN(key)) {
    const buf = Buffer.allocUnsafe(9);
    writeNumber(key, buf, 0);
    return buf;
  }
  const buf = Buffer.allocUnsafe(validatedSize(key));
  writeKey(key, buf, 0);
  return buf;
}

/**
 * Writes the encoding of a string key at `offset` of `buf` (which must have room for
 * `3 * key.length + 2` bytes there) and returns the offset after it, or -1 without
 * writing anything meaningful if the key needs the general path ({@link encodeKey}): a
 * NUL to escape or a lone surrogate to reject. Lets the map side encode straight into its
 * buffer instead of allocating a Buffer per key.
 */
export function writeStringKeyAt(key: string, buf: Buffer, offset: number): number {
  if (key.indexOf('\0') !== -1 || !isWellFormed(key)) return -1;
  buf[offset] = TAG_STRING;
  const end = offset + 1 + writeUtf8(buf, key, offset + 1, 3 * key.length);
  buf[end] = END;
  return end + 1;
}

/**
 * Tells whether `x` is a key that {@link encodeKey} accepts: the right types, no NaN,
 * no strings with lone surrogates, arrays nested at most 128 levels.
 */
export function isKey(x: unknown): x is Key {
  try {
    sizeOf(x, 0);
    return true;
  } catch (e) {
    if (e instanceof KeyProblem) return false;
    throw e;
  }
}

function malformed(offset: number, why: string): RangeError {
  return new RangeError(`malformed key bytes at offset ${offset}: ${why}`);
}

const numberScratch = Buffer.alloc(8);

class KeyReader {
  offset = 0;
  constructor(private readonly buf: Buffer) {}

  read(depth: number): Key {
    const buf = this.buf;
    const start = this.offset;
    if (start >= buf.length) throw malformed(start, 'expected a key element, found the end');
    const tag = buf[start] as number;
    this.offset = start + 1;
    switch (tag) {
      case TAG_NULL:
        return null;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_NUMBER:
        return this.readNumber(start);
      case TAG_STRING:
        return this.readString(start);
      case TAG_ARRAY: {
        if (depth >= MAX_KEY_DEPTH) throw malformed(start, `arrays nested deeper than ${MAX_KEY_DEPTH} levels`);
        const items: Key[] = [];
        for (;;) {
          if (this.offset >= buf.length) throw malformed(this.offset, 'array not terminated');
          if (buf[this.offset] === END) {
            this.offset++;
            return items;
          }
          items.push(this.read(depth + 1));
        }
      }
      default:
        throw malformed(start, `unknown tag 0x${tag.toString(16).padStart(2, '0')}`);
    }
  }

  private readNumber(start: number): number {
    const from = start + 1;
    if (from + 8 > this.buf.length) throw malformed(start, 'number truncated');
    const positive = ((this.buf[from] as number) & 0x80) !== 0;
    for (let i = 0; i < 8; i++) {
      const b = this.buf[from + i] as number;
      numberScratch[i] = positive ? (i === 0 ? b & 0x7f : b) : ~b & 0xff;
    }
    const n = numberScratch.readDoubleBE(0);
    // Rejecting bytes encodeKey never writes keeps "same bytes iff same key" true for decoded keys.
    if (Number.isNaN(n)) throw malformed(start, 'number is NaN');
    if (n === 0 && !positive) throw malformed(start, 'number is -0, which keys store as 0');
    this.offset = from + 8;
    return n;
  }

  private readString(start: number): string {
    const buf = this.buf;
    let segmentStart = start + 1;
    let result = '';
    for (;;) {
      const nul = buf.indexOf(0x00, segmentStart);
      if (nul === -1) throw malformed(start, 'string not terminated');
      const segment = buf.subarray(segmentStart, nul);
      if (!isUtf8(segment)) throw malformed(segmentStart, 'string is not valid UTF-8');
      result += segment.toString('utf8');
      if (buf[nul + 1] === ESCAPE) {
        result += '\0';
        segmentStart = nul + 2;
      } else {
        this.offset = nul + 1;
        return result;
      }
    }
  }
}

/**
 * Decodes a whole buffer produced by {@link encodeKey}.
 *
 * Strict: it accepts only bytes that `encodeKey` could have written (no trailing bytes,
 * no NaN or -0, valid UTF-8), so `encodeKey(decodeKey(b))` always equals `b`.
 *
 * @throws RangeError `malformed key bytes at offset N: ...` otherwise.
 */
export function decodeKey(bytes: Uint8Array): Key {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = new KeyReader(buf);
  const key = reader.read(0);
  if (reader.offset !== buf.length) throw malformed(reader.offset, 'trailing bytes after the key');
  return key;
}

const TYPE_RANK_NUMBER = 3;
const TYPE_RANK_STRING = 4;
const TYPE_RANK_ARRAY = 5;

function typeRank(k: unknown): number {
  switch (typeof k) {
    case 'number':
      checkNumber(k);
      return TYPE_RANK_NUMBER;
    case 'string':
      return TYPE_RANK_STRING;
    case 'boolean':
      return k ? 2 : 1;
    case 'object':
      if (k === null) return 0;
      if (Array.isArray(k)) return TYPE_RANK_ARRAY;
      break;
    default:
      break;
  }
  throw new KeyProblem('type', `${TYPE_EXPECTED}; got ${describe(k)}`);
}

/**
 * Maps a UTF-16 code unit so that comparing mapped units gives code point order:
 * surrogates (U+D800..U+DFFF, only ever part of astral code points) move above U+FFFF's
 * range, where JS `<` would put them below U+E000..U+FFFF.
 */
function codePointOrderUnit(c: number): number {
  if (c < 0xd800) return c;
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return codePointOrderUnit(ca) - codePointOrderUnit(cb);
  }
  return a.length - b.length;
}

function compareAt(a: unknown, b: unknown, depth: number): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === TYPE_RANK_NUMBER) return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if (ra === TYPE_RANK_STRING) return compareStrings(a as string, b as string);
  if (ra !== TYPE_RANK_ARRAY) return 0;
  if (depth >= MAX_KEY_DEPTH) {
    throw new KeyProblem('range', `nests arrays deeper than ${MAX_KEY_DEPTH} levels (is it cyclic?)`);
  }
  const xs = a as readonly unknown[];
  const ys = b as readonly unknown[];
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    let c: number;
    try {
      c = compareAt(xs[i], ys[i], depth + 1);
    } catch (e) {
      if (e instanceof KeyProblem) e.path.unshift(i);
      throw e;
    }
    if (c !== 0) return c;
  }
  return xs.length - ys.length;
}

/**
 * The total order of keys: null < false < true < numbers (numeric; -0 equals 0) <
 * strings (by Unicode code point, which is UTF-8 byte order and differs from JS `<` for
 * astral characters) < arrays (element by element; a proper prefix sorts first).
 *
 * Returns a negative number, 0 or a positive number, like a `sort` comparator.
 * `Math.sign(compareKeys(a, b))` equals `Math.sign(Buffer.compare(encodeKey(a), encodeKey(b)))`.
 * Only the parts it needs to inspect are validated; it does not scan strings for lone
 * surrogates (which {@link encodeKey} rejects).
 *
 * @throws TypeError for a non-key element it reaches, RangeError for NaN.
 */
export function compareKeys(a: Key, b: Key): number {
  try {
    return compareAt(a, b, 0);
  } catch (e) {
    throw e instanceof KeyProblem ? toError(e) : e;
  }
}
