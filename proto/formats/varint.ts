/**
 * Unsigned LEB128 varints, the one reader and writer of every format and hand-written
 * protobuf encoder (record framing, result text, assignments, data chunks): 7 bits a byte,
 * low bits first, the high bit set on every byte but the last. Values are non-negative
 * integers below 2^53; arithmetic is by division, not shifts, so lengths past 2^31 work.
 */

/** Bytes of the longest varint of a safe integer (2^53 - 1 takes 8). */
export const MAX_VARINT_BYTES = 8;

/**
 * Bytes of the longest varint of a record's key or value length: lengths are below 2^35
 * (Buffers are smaller), so a longer varint in a record's framing can only be corruption.
 */
export const MAX_LENGTH_VARINT_BYTES = 5;

/** {@link readVarint}'s answer when the varint runs into its limit (more bytes are needed). */
export const VARINT_TRUNCATED = -1;

/** {@link readVarint}'s answer when the varint is longer than allowed (corruption). */
export const VARINT_TOO_LONG = -2;

/** Bytes of the varint of n. */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 5;
  for (let v = Math.floor(n / 0x800000000); v > 0; v = Math.floor(v / 0x80)) size++;
  return size;
}

/** Writes the varint of n at buf[p]; returns the index after it. */
export function writeVarint(buf: Uint8Array, p: number, n: number): number {
  while (n >= 0x80) {
    // & keeps the low 7 bits of any safe integer (ToInt32 is modulo 2^32).
    buf[p++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[p++] = n;
  return p;
}

/** The value of the varint {@link readVarint} read last: one number for every call, no object per varint. */
let lastValue = 0;

/**
 * Reads the varint at buf[pos], which must end before `limit` and take at most `maxBytes`.
 * Returns the index just past it (its value is then {@link varintValue}), or
 * {@link VARINT_TRUNCATED} when it runs into `limit`, or {@link VARINT_TOO_LONG}.
 */
export function readVarint(buf: Uint8Array, pos: number, limit: number, maxBytes: number = MAX_VARINT_BYTES): number {
  let value = 0;
  let scale = 1;
  const last = pos + maxBytes;
  for (let p = pos; p < last; p++) {
    if (p >= limit) return VARINT_TRUNCATED;
    const b = buf[p] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      lastValue = value;
      return p + 1;
    }
    scale *= 0x80;
  }
  return VARINT_TOO_LONG;
}

/** The value of the varint the last successful {@link readVarint} read. */
export function varintValue(): number {
  return lastValue;
}

/**
 * Frames bytes encoded at `head + reserved` up to `end` of `buf`, where `reserved` bytes at
 * `head` were kept for their length's longest varint (an encoder that writes in place
 * learns the length only once it has written): writes the varint at `head` and, when it
 * came out shorter, moves the bytes down over the spare ones. Returns where the bytes
 * start now.
 */
export function frameBehindReservedVarint(buf: Uint8Array, head: number, reserved: number, end: number): number {
  const start = head + reserved;
  const length = end - start;
  const size = varintSize(length);
  if (size < reserved) buf.copyWithin(head + size, start, end);
  writeVarint(buf, head, length);
  return head + size;
}
