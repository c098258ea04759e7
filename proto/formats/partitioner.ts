const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MAX_PARTITIONS = 2 ** 32;

/**
 * Which of `partitions` reducers gets a key, from its encoded bytes (see `encodeKey`).
 * Stable across processes and machines: it depends only on the bytes, never on the
 * process's hash seed or on how the key was built.
 *
 * FNV-1a (32-bit) over the bytes, then murmur3's fmix32: FNV-1a alone leaves the low bits
 * weak for short keys that differ in their last byte, and `% partitions` reads mostly
 * low bits.
 *
 * @param partitions integer from 1 to 2^32 (with 2^32 the result is the full hash).
 * @returns an integer in [0, partitions).
 * @throws RangeError if `partitions` is not an integer in that range.
 */
export function hashPartition(encodedKey: Uint8Array, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new RangeError(`partitions must be an integer from 1 to 2^32; got ${String(partitions)}`);
  }
  return hashPartitionOfRange(encodedKey, 0, encodedKey.length, partitions);
}

/**
 * {@link hashPartition} of the encoded key in `bytes[start, end)`, for keys encoded in
 * place in a larger buffer. `partitions` is not checked: callers check it once, not per key.
 */
export function hashPartitionOfRange(bytes: Uint8Array, start: number, end: number, partitions: number): number {
  let h = FNV_OFFSET_BASIS;
  for (let i = start; i < end; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, FNV_PRIME);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % partitions;
}

/**
 * Which of `partitions` reducers gets the encoded key in `bytes[start, end)`: the map
 * side's partitioner at byte level ({@link hashPartitionOfRange} by default; a job's
 * `groupPrefix` or `totalOrder` choose others, worker/task-runtime/key-partitioner.ts).
 */
export type KeyBytesPartitioner = (bytes: Uint8Array, start: number, end: number, partitions: number) => number;
