/**
 * Cuts input files into byte-range splits, one per map task. Splits are cut at arbitrary
 * byte offsets, not at line ends: the line reader's ownership rule (a split owns the lines
 * whose first byte lies inside it) makes every record land in exactly one split, so the
 * master never has to read the inputs to plan a job.
 */

/** One input file as the master sees it. */
export interface InputFile {
  /** The path the map task will open. */
  readonly path: string;
  /** The file's size in bytes, a non-negative integer. */
  readonly size: number;
  /**
   * False when the file can only be read whole, as one stream from its first byte (see
   * StorageStat.rangeReads): it gets one split. Default true.
   */
  readonly splittable?: boolean;
  /**
   * Set for a part file of an earlier job (`mr://JOB/PARTITION`): the file is one split,
   * never cut or packed with others, and its map task prefers the worker that holds it.
   */
  readonly result?: ResultPartRef;
}

/** Where a partition of an earlier job's results is: its part file on the worker that wrote it. */
export interface ResultPartRef {
  readonly jobId: string;
  readonly partition: number;
  /** The worker holding the part file: the map task's preferred worker. */
  readonly workerId: string;
  /** The part file, relative to that worker's data dir. */
  readonly path: string;
}

/** One map task's share of a file: the byte range [start, start + length). */
export interface InputSplit {
  readonly path: string;
  /** Offset of the split's first byte in the file. */
  readonly start: number;
  /** Number of bytes in the split; 0 only for the single split of an empty file. */
  readonly length: number;
  /** The size of the whole file, so a task can tell whether its split is the last one. */
  readonly fileSize: number;
  /** The part file of an earlier job this split reads whole (see InputFile.result). */
  readonly result?: ResultPartRef;
}

/**
 * A remainder smaller than `chunkSize / SPLIT_SLOP_DIVISOR` (10%) is merged into the split
 * before it. A map task has a fixed start-up cost, so a task that reads a few bytes is
 * waste; the merged split grows by less than 10%, which keeps tasks about equal in length.
 * This is Hadoop's SPLIT_SLOP (1.1) idea.
 */
const SPLIT_SLOP_DIVISOR = 10;

/**
 * The splits of a job's inputs, computed on demand instead of stored: a job may have a
 * million splits, and every one of them follows from the file sizes and the chunk size.
 * Costs a few numbers per file, none per split.
 */
export class SplitPlan {
  /** Index of each file's first split; one more entry at the end: the number of splits. */
  private readonly first: Float64Array;

  constructor(
    private readonly files: readonly InputFile[],
    readonly chunkSize: number,
  ) {
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
      throw new RangeError(`chunkSize must be a positive integer number of bytes, got ${String(chunkSize)}`);
    }
    this.first = new Float64Array(files.length + 1);
    let total = 0;
    for (const [i, file] of files.entries()) {
      const { path, size } = file;
      if (!Number.isSafeInteger(size) || size < 0) {
        throw new RangeError(`files[${i}].size (${path}) must be a non-negative integer, got ${String(size)}`);
      }
      this.first[i] = total;
      // A part file of an earlier job is read whole, by one map task, where it is.
      total += (file.result ? 0 : fullChunks(size, chunkSize)) + 1;
    }
    this.first[files.length] = total;
  }

  /** The number of input files. */
  get fileCount(): number {
    return this.files.length;
  }

  /** How many files are part files of earlier jobs (one split each, with a preferred worker). */
  get resultFileCount(): number {
    let n = 0;
    for (const f of this.files) if (f.result) n++;
    return n;
  }

  /** The number of splits. */
  get count(): number {
    return this.first[this.files.length] as number;
  }

  /** Split `index` (0 <= index < count). */
  split(index: number): InputSplit {
    if (!Number.isInteger(index) || index < 0 || index >= this.count)
      throw new RangeError(`no split ${index} of ${this.count}`);
    // The last file whose first split is at or before `index`: a binary search over files.
    let lo = 0;
    let hi = this.files.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.first[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    const { path, size, result } = this.files[lo] as InputFile;
    if (result) return { path, start: 0, length: size, fileSize: size, result };
    const k = index - (this.first[lo] as number);
    const start = k * this.chunkSize;
    const last = k === (this.first[lo + 1] as number) - (this.first[lo] as number) - 1;
    return { path, start, length: last ? size - start : this.chunkSize, fileSize: size };
  }

  /** Every split, in order. */
  all(): InputSplit[] {
    return Array.from({ length: this.count }, (_, i) => this.split(i));
  }
}

/**
 * How many splits of exactly `chunkSize` bytes a file of `size` bytes starts with; one
 * split with the rest follows them. A remainder is cut again while what would be left is
 * at least 10% of `chunkSize`, so with size = q * chunkSize + r the file gives q full
 * chunks when r is at least 10% (r is then its own split), else q - 1 (r joins the last
 * chunk). Integer arithmetic rather than Hadoop's remaining / chunkSize > 1.1: with
 * floats, 30 * 0.1 > 3, so rounding would decide whether an exact-10% remainder is merged.
 */
function fullChunks(size: number, chunkSize: number): number {
  const r = size % chunkSize;
  const q = (size - r) / chunkSize;
  return Math.max(0, r * SPLIT_SLOP_DIVISOR >= chunkSize ? q : q - 1);
}

/**
 * Cuts files into chunks of at most `chunkSize` bytes; every file gives at least one split
 * (an empty file gives one split of length 0).
 *
 * Splits come in the order of `files`, and within a file in offset order; they are
 * contiguous and together cover each file exactly. To avoid a tiny last split, a remainder
 * of less than 10% of `chunkSize` is merged into the previous split (Hadoop's SPLIT_SLOP
 * of 1.1), so the last split of a file may be up to 10% longer than `chunkSize`.
 *
 * @param files - The input files, with their sizes in bytes.
 * @param chunkSize - The target split length in bytes, a positive integer.
 * @throws RangeError if `chunkSize` is not a positive integer or a file's `size` is not a
 *   non-negative integer.
 */
export function splitInputs(files: readonly InputFile[], chunkSize: number): InputSplit[] {
  return new SplitPlan(files, chunkSize).all();
}
