import { Job } from './job.js';
import type { JobSpec } from './job.js';
import { SplitPlan } from './input-splitter.js';
import { fitSplitsToSlots } from './slot-fit.js';
import type { InputFile } from './input-splitter.js';

/**
 * The smallest chunk size the master picks by itself to give every slot a split: 64 KiB.
 * A map task costs about a millisecond whatever it reads (assignment, pool hand-off, an
 * output file, one fetch per reducer), and 64 KiB of text is about that much map work, so
 * below it more tasks add more overhead than parallelism; it also keeps a tiny input from
 * becoming one task per few lines. A user's explicit --chunk-size may go lower (to 4 KiB).
 */
export const MIN_SLOT_CHUNK_SIZE = 64 * 1024;

/** How the master sizes a job's splits. */
export interface ChunkSizing {
  /** The chunk size the user gave (--chunk-size, SubmitOptions.chunkSize): it wins. */
  readonly requested?: number;
  /** The chunk size when none was given (DEFAULT_CHUNK_SIZE). */
  readonly defaultSize: number;
  /** Task slots of the workers alive at submit; 0 when none is. */
  readonly slots: number;
}

/**
 * The chunk size a job's input is cut with: the user's when given; otherwise the default,
 * lowered for a small input to ceil(total bytes / slots) (never below
 * {@link MIN_SLOT_CHUNK_SIZE}), so the job gets at least as many splits as the cluster has
 * slots when its input allows it, instead of one task while every other slot idles.
 */
export function chunkSizeFor(totalBytes: number, sizing: ChunkSizing): number {
  if (sizing.requested !== undefined) return sizing.requested;
  if (sizing.slots <= 0) return sizing.defaultSize;
  const perSlot = Math.ceil(totalBytes / sizing.slots);
  // A bad file size is SplitPlan's to report, naming the file.
  if (!Number.isSafeInteger(perSlot)) return sizing.defaultSize;
  return Math.min(sizing.defaultSize, Math.max(MIN_SLOT_CHUNK_SIZE, perSlot));
}

/**
 * The splits of a job's input: cut with {@link chunkSizeFor}'s chunk size, small files
 * packed together unless `pack` is false. A chunk size the master chose itself may be
 * stretched by up to 10% so the splits are a multiple of the slots ({@link fitSplitsToSlots}).
 */
export function planSplits(files: readonly InputFile[], sizing: ChunkSizing, pack = true): SplitPlan {
  let total = 0;
  for (const f of files) total += f.size;
  const chunkSize = chunkSizeFor(total, sizing);
  if (sizing.requested !== undefined) return new SplitPlan(files, { chunkSize, pack });
  return fitSplitsToSlots(files, chunkSize, sizing.slots, pack);
}

/**
 * Plans a job: one map task per input split and one reduce task per partition, all
 * pending. Reduces wait until every map has succeeded (see the scheduler).
 */
export function planJob(spec: JobSpec, files: readonly InputFile[], chunkSize: number): Job {
  return new Job(spec, new SplitPlan(files, chunkSize));
}
