import { defineJob } from 'groove-mr';
import type { JobContext } from 'groove-mr';

/**
 * Total-order sort of text records whose first KEY_BYTES characters are the key (the
 * gensort layout: 10-byte key, payload, line end). Each reduce partition holds one key
 * range, so the part files read in partition order are globally sorted.
 *
 *     mr run jobs/sort.ts --input records.txt --partitions 4 \
 *        --param 'splits=["K1","K2","K3"]' --output sorted/
 *
 * `splits` are R-1 ascending keys, e.g. quantiles of a sample of the input: partition p
 * gets the keys k with splits[p-1] <= k < splits[p]. Without `splits` everything goes to
 * partition 0 (still sorted, in one part file).
 */
const KEY_BYTES = 10;

/**
 * Compares strings by Unicode code point, the order Groove sorts string keys in (UTF-8
 * bytes). JavaScript's `<` compares UTF-16 units, which puts astral characters
 * (surrogates, 0xD800-0xDFFF) below U+E000-U+FFFF; UTF-8 puts them above.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Parses the `splits` parameter: a JSON array of ascending strings. */
export function parseSplits(param: string | undefined): string[] {
  if (param === undefined || param === '') return [];
  const splits: unknown = JSON.parse(param);
  if (!Array.isArray(splits) || !splits.every((s): s is string => typeof s === 'string')) {
    throw new TypeError('the splits param must be a JSON array of strings');
  }
  for (let i = 1; i < splits.length; i++) {
    if (compareCodePoints(splits[i - 1] as string, splits[i] as string) > 0)
      throw new RangeError(`splits must ascend; splits[${i}] is smaller than the one before`);
  }
  return splits;
}

/** The partition of `key`: how many split points are <= key (binary search). */
export function rangePartition(key: string, splits: readonly string[]): number {
  let lo = 0;
  let hi = splits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareCodePoints(splits[mid] as string, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The split points are parsed once per task: a pool process keeps the job's code across
// tasks and jobs, so they are cached by the task's context rather than loaded once.
let splitsOf: JobContext | undefined;
let splits: string[] = [];

function splitsFor(ctx: JobContext): string[] {
  if (ctx !== splitsOf) {
    splits = parseSplits(ctx.params['splits']);
    splitsOf = ctx;
  }
  return splits;
}

export default defineJob<string, string>({
  name: 'sort',
  map(record, emit) {
    emit(record.slice(0, KEY_BYTES), record.slice(KEY_BYTES));
  },
  partition(key, partitions, ctx) {
    const points = splitsFor(ctx);
    if (points.length > partitions - 1)
      throw new RangeError(
        `${points.length} split points need at least ${points.length + 1} partitions, got ${partitions}`,
      );
    return rangePartition(key, points);
  },
  partitions: 1,
});
