/**
 * Tuple prefixes of encoded keys, for secondary sort: a job with `groupPrefix: n` groups
 * (and partitions) keys by their first n tuple elements. The encoding (key-codec.ts) is
 * self-delimiting, so the prefix is found by walking the bytes, never by decoding.
 */

const TAG_NULL = 0x01;
const TAG_TRUE = 0x03;
const TAG_NUMBER = 0x10;
const TAG_STRING = 0x20;
const TAG_ARRAY = 0x30;
const END = 0x00;
const ESCAPE = 0xff;
const NUMBER_BYTES = 9;

/** The offset after the encoded key element that starts at `at` (which must be inside `bytes[..end)`). */
function elementEnd(bytes: Uint8Array, at: number, end: number): number {
  const tag = bytes[at];
  if (tag !== undefined && tag >= TAG_NULL && tag <= TAG_TRUE) return at + 1;
  if (tag === TAG_NUMBER) return at + NUMBER_BYTES;
  if (tag === TAG_STRING) {
    // A string ends at a 00 not followed by FF (00 FF is an escaped NUL inside it).
    for (let i = at + 1; i < end; i++) {
      if (bytes[i] === END) {
        if (bytes[i + 1] !== ESCAPE) return i + 1;
        i++;
      }
    }
    return end;
  }
  if (tag === TAG_ARRAY) {
    let i = at + 1;
    while (i < end && bytes[i] !== END) i = elementEnd(bytes, i, end);
    return i + 1;
  }
  throw new RangeError(`malformed key: tag 0x${(tag ?? 0).toString(16)} at byte ${at}`);
}

/**
 * Where the first `n` elements of the encoded tuple key in `bytes[start, end)` end: the
 * bytes `[start, result)` are the tag of the tuple and its first n elements, without the
 * tuple's end byte. Two keys have equal prefixes exactly when those bytes are equal, and
 * such byte ranges of n-element prefixes compare (Buffer.compare) like the prefix tuples.
 * @throws RangeError when the key is not a tuple of at least n elements (the message
 *   says what the job's groupPrefix needs).
 */
export function tuplePrefixEnd(bytes: Uint8Array, start: number, end: number, n: number): number {
  if (bytes[start] !== TAG_ARRAY) throw prefixError(n, 'not an array');
  let at = start + 1;
  for (let i = 0; i < n; i++) {
    if (at >= end || bytes[at] === END) throw prefixError(n, `an array of ${i} element${i === 1 ? '' : 's'}`);
    at = elementEnd(bytes, at, end);
  }
  return at;
}

function prefixError(n: number, got: string): RangeError {
  return new RangeError(
    `groupPrefix ${n} needs keys that are arrays of at least ${n} elements; got a key that is ${got}`,
  );
}

/** The encoded tuple of a prefix `tuplePrefixEnd` found (its bytes, then the tuple's end byte), for decodeKey. */
export function prefixTupleBytes(bytes: Uint8Array, start: number, prefixEnd: number): Buffer {
  const out = Buffer.allocUnsafe(prefixEnd - start + 1);
  out.set(bytes.subarray(start, prefixEnd), 0);
  out[prefixEnd - start] = END;
  return out;
}
