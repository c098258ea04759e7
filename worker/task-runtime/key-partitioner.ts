import { checkSplits, hashPartitionOfRange, rangePartitionOfRange, tuplePrefixEnd } from '../../proto/formats/index.js';
import type { KeyBytesPartitioner } from '../../proto/formats/index.js';
import type { AnyJob } from '../job-loader.js';
import type { GroupEnd } from './group-by-key.js';

/**
 * The map side's partitioner of a job without its own `partition` (docs/sorting.md): by
 * the hash of the key, or of its group prefix with `groupPrefix`; with `totalOrder`, by
 * the range the key (or its group prefix) falls in between the pack's split points. Keys
 * of one group always meet in one reducer, since only the prefix decides.
 * @throws RangeError for a totalOrder job whose split points do not fit `partitions`, or
 *   that has none although it has several partitions (a pack not made by Groove's client).
 */
export function keyPartitionerFor(
  job: AnyJob,
  splits: readonly Buffer[] | undefined,
  partitions: number,
): KeyBytesPartitioner {
  if (job.totalOrder === true) {
    if (splits === undefined && partitions > 1)
      throw new RangeError(
        'the totalOrder job was submitted without split points: submit it with mr run, mr submit or the SDK client',
      );
    const points = splits ?? [];
    checkSplits(points, partitions);
    const n = job.groupPrefix;
    return n === undefined
      ? (bytes, start, end) => rangePartitionOfRange(bytes, start, end, points)
      : (bytes, start, end) => rangePartitionOfRange(bytes, start, tuplePrefixEnd(bytes, start, end, n), points);
  }
  const n = job.groupPrefix;
  if (n === undefined) return hashPartitionOfRange;
  return (bytes, start, end, r) => hashPartitionOfRange(bytes, start, tuplePrefixEnd(bytes, start, end, n), r);
}

/** Where the reduce's group key ends in an encoded key: the job's group prefix, or none (the whole key). */
export function groupEndFor(job: AnyJob): GroupEnd | undefined {
  const n = job.groupPrefix;
  return n === undefined ? undefined : (key) => tuplePrefixEnd(key, 0, key.length, n);
}
