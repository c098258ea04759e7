/**
 * Cuts input files into splits, one per map task. A large file is cut into byte ranges at
 * arbitrary offsets, not at line ends: the line reader's ownership rule (a split owns the
 * lines whose first byte lies inside it) makes every record land in exactly one split, so
 * the master never has to read the inputs to plan a job. Small files are packed whole,
 * several to a split, up to the chunk size (Hadoop's CombineFileInputFormat): a task has a
 * fixed start-up cost, so a thousand files of a few bytes should not be a thousand tasks.
 */

/** One input file as the master sees it. */
export interface InputFile {
  /** The path the map task will open. */
  readonly path: string;
  /** The file's size in bytes, a non-negative integer. */
  readonly size: number;
  /**
   * False when the file can only be read whole, as one stream from its first byte (see
   * StorageStat.rangeReads), or is of unknown size (`size` Infinity): it gets one split.
   * Default true.
   */
  readonly splittable?: boolean;
  /**
   * The worker that holds the file (a worker id), when it lives on one worker (a partition
   * of an earlier job's results): its splits are never packed with other files, so a task
   * reading it can run where it is (see {@link SplitPlan.location}). Default: none.
   */
  readonly location?: string;
  /**
   * Set for a part file of an earlier job (`mr://JOB/PARTITION`): the file is read whole,
   * as records, by one map task that prefers the worker holding it (`location`).
   */
  readonly result?: ResultPartRef;
  /**
   * Lines of `[key, value]` JSON (an earlier job's results committed to a store as jsonl):
   * the map gets each line parsed, as it gets a part file's records. Default false: text.
   */
  readonly jsonRecords?: boolean;
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

/** One byte range [start, start + length) of one file: a split is a list of these. */
export interface InputPiece {
  readonly path: string;
  /** Offset of the piece's first byte in the file. */
  readonly start: number;
  /** Number of bytes in the piece; 0 for an empty file. */
  readonly length: number;
  /** The size of the whole file, so a task can tell whether its piece is the file's last. */
  readonly fileSize: number;
  /** The part file of an earlier job this split reads whole (see InputFile.result). */
  readonly result?: ResultPartRef;
  /** The piece's lines are `[key, value]` JSON (see InputFile.jsonRecords). */
  readonly jsonRecords?: boolean;
}

/** One map task's input: one chunk of a large file, or several small files whole, in input order. */
export interface InputSplit {
  /** At least one piece; more than one only for packed small files, each of them whole. */
  readonly pieces: readonly InputPiece[];
  /** The pieces' bytes together. */
  readonly length: number;
  /** The worker holding the split's file, when its file has a {@link InputFile.location}. */
  readonly location?: string;
}

/** How a {@link SplitPlan} cuts and packs. */
export interface SplitOptions {
  /** The target split length in bytes, a positive integer. */
  readonly chunkSize: number;
  /**
   * Pack small files whole into splits of up to `chunkSize` bytes. Default true; false
   * gives every file its own splits (one task per small file, as the tiny-task bench wants).
   */
  readonly pack?: boolean;
}

/**
 * A remainder smaller than `chunkSize / SPLIT_SLOP_DIVISOR` (10%) is merged into the split
 * before it. A map task has a fixed start-up cost, so a task that reads a few bytes is
 * waste; the merged split grows by less than 10%, which keeps tasks about equal in length.
 * This is Hadoop's SPLIT_SLOP (1.1) idea.
 */
const SPLIT_SLOP_DIVISOR = 10;

/**
 * The most files packed into one split. Each piece costs its task an open and a text check
 * (one request each on an object store or http server), and the assignment carries every
 * path: 1,000 pieces keep an assignment near 100 KB and a task of tiny objects to seconds,
 * while a thousandfold fewer tasks already makes the per-task cost (about a millisecond)
 * vanish next to the pieces' own.
 */
export const MAX_PIECES_PER_SPLIT = 1000;

/**
 * The splits of a job's inputs, computed on demand instead of stored: a job may have a
 * million splits and 100,000 files, and every split follows from the file sizes and the
 * chunk size. Costs one number per file (the index of its first split; packed files share
 * their split's), none per split.
 *
 * Files are taken in order. A file that gives one split alone (at most `chunkSize` bytes,
 * or read whole) and has no location joins the split being packed while the split stays
 * within `chunkSize` bytes and {@link MAX_PIECES_PER_SPLIT} files; any other file ends
 * packing and gets its own splits.
 */
export class SplitPlan {
  /** Index of each file's first split; one more entry at the end: the number of splits. */
  private readonly first: Float64Array;
  readonly chunkSize: number;
  /** The input's bytes, every file together. */
  readonly totalBytes: number;

  constructor(
    private readonly files: readonly InputFile[],
    options: SplitOptions | number,
  ) {
    const { chunkSize, pack = true } = typeof options === 'number' ? { chunkSize: options } : options;
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
      throw new RangeError(`chunkSize must be a positive integer number of bytes, got ${String(chunkSize)}`);
    }
    this.chunkSize = chunkSize;
    this.first = new Float64Array(files.length + 1);
    let splits = 0;
    let total = 0;
    // The split being packed: its bytes and files so far; packing < 0 when none is open.
    let packedBytes = -1;
    let packedFiles = 0;
    for (const [i, file] of files.entries()) {
      const { path, size } = file;
      // An unsplittable file may be of unknown size (Infinity): its one split reads to the end.
      const whole = file.splittable === false;
      if (!(Number.isSafeInteger(size) || (whole && size === Infinity)) || size < 0) {
        throw new RangeError(`files[${i}].size (${path}) must be a non-negative integer, got ${String(size)}`);
      }
      total += size;
      const chunks = file.splittable === false ? 0 : fullChunks(size, chunkSize);
      const packable = pack && chunks === 0 && size <= chunkSize && file.location === undefined;
      if (packable && packedBytes >= 0 && packedBytes + size <= chunkSize && packedFiles < MAX_PIECES_PER_SPLIT) {
        this.first[i] = splits - 1;
        packedBytes += size;
        packedFiles++;
        continue;
      }
      this.first[i] = splits;
      splits += chunks + 1;
      packedBytes = packable ? size : -1;
      packedFiles = 1;
    }
    this.first[files.length] = splits;
    this.totalBytes = total;
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
    const last = this.lastFileOf(index);
    const firstSplit = this.first[last] as number;
    if (firstSplit === index) {
      // The split starts files: all of them whole (packed), or the first chunk of one.
      const from = this.firstFileOf(index);
      if (from < last) return this.packed(from, last);
    }
    const file = this.files[last] as InputFile;
    const { path, size } = file;
    const k = index - firstSplit;
    const start = k * this.chunkSize;
    const isLast = k === (this.first[last + 1] as number) - firstSplit - 1;
    const length = isLast ? size - start : this.chunkSize;
    const pieces = [
      {
        path,
        start,
        length,
        fileSize: size,
        ...(file.result ? { result: file.result } : {}),
        ...(file.jsonRecords ? { jsonRecords: true } : {}),
      },
    ];
    return file.location === undefined ? { pieces, length } : { pieces, length, location: file.location };
  }

  /** The worker holding split `index`'s file, if it has a location: what locality scheduling looks at. */
  location(index: number): string | undefined {
    return (this.files[this.lastFileOf(index)] as InputFile).location;
  }

  /** Every split, in order. */
  all(): InputSplit[] {
    return Array.from({ length: this.count }, (_, i) => this.split(i));
  }

  /** The whole files from..to (inclusive) as one split. */
  private packed(from: number, to: number): InputSplit {
    const pieces: InputPiece[] = [];
    let length = 0;
    for (let f = from; f <= to; f++) {
      const { path, size } = this.files[f] as InputFile;
      pieces.push({ path, start: 0, length: size, fileSize: size });
      length += size;
    }
    return { pieces, length };
  }

  /** The last file whose first split is at or before `index`: a binary search over files. */
  private lastFileOf(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.count)
      throw new RangeError(`no split ${index} of ${this.count}`);
    let lo = 0;
    let hi = this.files.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.first[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The first file whose first split is at or after `index`. */
  private firstFileOf(index: number): number {
    let lo = 0;
    let hi = this.files.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.first[mid] as number) < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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
 * Cuts files into chunks of at most `chunkSize` bytes and packs small files whole into
 * splits of up to `chunkSize` bytes; every file is in at least one split (an empty file as
 * a piece of length 0).
 *
 * Splits come in the order of `files`, and within a file in offset order; the pieces are
 * contiguous and together cover each file exactly once. To avoid a tiny last split, a
 * remainder of less than 10% of `chunkSize` is merged into the previous split (Hadoop's
 * SPLIT_SLOP of 1.1), so the last split of a file may be up to 10% longer than `chunkSize`.
 *
 * @param files - The input files, with their sizes in bytes.
 * @param options - The chunk size in bytes (a positive integer), or {@link SplitOptions}.
 * @throws RangeError if `chunkSize` is not a positive integer or a file's `size` is not a
 *   non-negative integer.
 */
export function splitInputs(files: readonly InputFile[], options: SplitOptions | number): InputSplit[] {
  return new SplitPlan(files, options).all();
}
