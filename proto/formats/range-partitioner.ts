/**
 * The total-order partitioner: R-1 ascending split points (encoded keys) cut the key space
 * into R ranges, partition p getting the keys k with splits[p-1] <= k < splits[p]. The
 * split points are chosen from a sample of the job's map output keys at submit
 * (sdk/split-sampler.ts), so the part files read in partition order are globally sorted.
 */

/**
 * The partition of the encoded key in `bytes[start, end)`: how many split points are <= it
 * (binary search in byte order, which is the key order). With fewer split points than
 * R-1, the top partitions stay empty.
 */
export function rangePartitionOfRange(
  bytes: Uint8Array,
  start: number,
  end: number,
  splits: readonly Uint8Array[],
): number {
  let lo = 0;
  let hi = splits.length;
  const key = bytes.subarray(start, end);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(splits[mid] as Uint8Array, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Up to `partitions - 1` split points for ranges of about equal size: the quantiles of the
 * sampled encoded keys (sorted here, in byte order). Equal quantiles (a key more frequent
 * than one partition's share) are kept once, since a key cannot be cut across partitions;
 * an empty sample gives none (every key in partition 0).
 */
export function chooseSplits(sample: readonly Uint8Array[], partitions: number): Buffer[] {
  const sorted = [...sample].sort(Buffer.compare);
  const splits: Buffer[] = [];
  if (!sorted.length) return splits;
  for (let p = 1; p < partitions; p++) {
    const q = sorted[Math.floor((p * sorted.length) / partitions)] as Uint8Array;
    const last = splits[splits.length - 1];
    // The smallest sampled key as a split point would leave partition 0 empty for nothing.
    if (Buffer.compare(q, sorted[0] as Uint8Array) === 0) continue;
    if (last === undefined || Buffer.compare(last, q) < 0) splits.push(Buffer.from(q));
  }
  return splits;
}

/**
 * Refuses split points that are not strictly ascending or more than `partitions - 1`
 * (a pack made for another partition count).
 * @throws RangeError saying which.
 */
export function checkSplits(splits: readonly Uint8Array[], partitions: number): void {
  if (splits.length > partitions - 1)
    throw new RangeError(
      `the job's ${splits.length} total-order split points need at least ${splits.length + 1} partitions, got ${partitions}`,
    );
  for (let i = 1; i < splits.length; i++) {
    if (Buffer.compare(splits[i - 1] as Uint8Array, splits[i] as Uint8Array) >= 0)
      throw new RangeError(`the job's total-order split points must ascend; split ${i} does not`);
  }
}
