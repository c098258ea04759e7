import { SplitPlan } from './input-splitter.js';
import type { InputFile } from './input-splitter.js';

/**
 * How far the master stretches a chunk size it chose itself so that a job's splits fill
 * the slots evenly: up to 10%, Hadoop's SPLIT_SLOP, the most a split may already exceed
 * its chunk size by when a small remainder joins it.
 */
const STRETCHES = [1.025, 1.05, 1.075, 1.1];

/**
 * The splits of `files` cut and packed with `chunkSize`, or with a chunk size up to 10%
 * larger when that makes the number of splits a multiple of `slots` and no larger.
 *
 * A chunk size of total / slots rarely packs whole files into exactly `slots` splits:
 * 16 files of 6.25 MB and a bit, on 2 slots, pack 7 + 8 + 1, and the third split runs
 * alone in a second wave while a core idles, and adds one more map output (a full table
 * of a word count's distinct words) to every reduce. A multiple of the slots keeps the
 * last wave full. A plan that is already one, or that no stretch improves, is kept.
 */
export function fitSplitsToSlots(
  files: readonly InputFile[],
  chunkSize: number,
  slots: number,
  pack: boolean,
): SplitPlan {
  const plan = new SplitPlan(files, { chunkSize, pack });
  if (slots <= 1 || plan.count <= slots || plan.count % slots === 0) return plan;
  for (const stretch of STRETCHES) {
    const stretched = new SplitPlan(files, { chunkSize: Math.floor(chunkSize * stretch), pack });
    if (stretched.count % slots === 0 && stretched.count <= plan.count) return stretched;
  }
  return plan;
}
