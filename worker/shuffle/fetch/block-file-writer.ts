import * as fs from 'node:fs';
import { IO_ALIGNMENT, processBlockPool } from './aligned-block-pool.js';
import type { AlignedBlockPool } from './aligned-block-pool.js';

/** Default {@link BlockFileWriterOptions.maxWritesInFlight}. */
export const DEFAULT_WRITES_IN_FLIGHT = 3;

/** What the writer holds once its blocks are handed back. */
const NO_BLOCK = Buffer.alloc(0);

/** Options of {@link BlockFileWriter.create}. */
export interface BlockFileWriterOptions {
  /**
   * Write around the page cache (O_DIRECT) where the filesystem allows it; default true.
   * Where it does not (tmpfs, some network filesystems) the writer falls back to ordinary
   * writes by itself.
   */
  readonly direct?: boolean;
  /** Block writes under way at once before {@link BlockFileWriter.congested} says stop; default {@link DEFAULT_WRITES_IN_FLIGHT}. */
  readonly maxWritesInFlight?: number;
  /** Where blocks come from and go back to; default the process's. */
  readonly pool?: AlignedBlockPool;
}

/**
 * Writes one file sequentially from aligned blocks that the producer fills in place
 * ({@link space} then {@link advance}): a socket reads straight into the block, and each
 * full block goes to the file asynchronously, on the thread pool, while the next fills.
 *
 * By default it writes around the page cache (O_DIRECT). A fetched map output is written
 * once and read once; through the page cache, the write costs a copy into fresh pages, and
 * on a VM whose host reclaims freed memory those pages fault in at about 2 ms of CPU per
 * MB, which was half the CPU of a shuffle. Written directly, the block goes to the device
 * from where the socket put it. The last block is padded to the alignment and the file
 * truncated to its length.
 */
export class BlockFileWriter {
  private current: Buffer;
  private fill = 0;
  /** File offset of the current block. */
  private offset = 0;
  private inFlight = 0;
  private readonly spare: Buffer[] = [];
  private failure: Error | undefined;
  private closed = false;
  private settled: (() => void) | undefined;
  /** Called when a write completes while {@link congested} was true. */
  onDrain: (() => void) | undefined;

  private constructor(
    private readonly path: string,
    private readonly fd: number,
    /** Whether the file was opened for direct I/O. */
    readonly direct: boolean,
    private readonly maxWritesInFlight: number,
    private readonly pool: AlignedBlockPool,
  ) {
    this.current = pool.take();
  }

  /** Creates (or truncates) the file at `path`. */
  static create(path: string, options: BlockFileWriterOptions = {}): BlockFileWriter {
    const maxWritesInFlight = options.maxWritesInFlight ?? DEFAULT_WRITES_IN_FLIGHT;
    if (!Number.isSafeInteger(maxWritesInFlight) || maxWritesInFlight < 1)
      throw new RangeError(`maxWritesInFlight must be an integer >= 1, got ${String(maxWritesInFlight)}`);
    const pool = options.pool ?? processBlockPool;
    const { O_WRONLY, O_CREAT, O_TRUNC, O_DIRECT } = fs.constants;
    const plain = O_WRONLY | O_CREAT | O_TRUNC;
    if (options.direct !== false && O_DIRECT !== undefined) {
      try {
        return new BlockFileWriter(path, fs.openSync(path, plain | O_DIRECT), true, maxWritesInFlight, pool);
      } catch (err) {
        // Filesystems without direct I/O refuse it at open; anything else is a real error.
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
      }
    }
    return new BlockFileWriter(path, fs.openSync(path, plain), false, maxWritesInFlight, pool);
  }

  /** Where the next bytes go: the free rest of the current block, never empty. */
  space(): Buffer {
    return this.current.subarray(this.fill);
  }

  /** Records that `n` bytes were put at the start of {@link space}. */
  advance(n: number): void {
    if (n < 0 || this.fill + n > this.current.length)
      throw new RangeError(`advance(${n}) past the block (${this.current.length - this.fill} bytes free)`);
    this.fill += n;
    if (this.fill === this.current.length) {
      this.writeCurrent(this.current.length);
      this.current = this.spare.pop() ?? this.pool.take();
      this.fill = 0;
    }
  }

  /** True while as many block writes are under way as allowed: the producer should wait for {@link onDrain}. */
  get congested(): boolean {
    return this.inFlight >= this.maxWritesInFlight;
  }

  /** The first write error, if one happened (later writes are not attempted). */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Writes what is left, gives the file its exact length and closes it; resolves with that length. */
  async close(): Promise<number> {
    const length = this.offset + this.fill;
    if (this.fill > 0) {
      this.writeCurrent(this.direct ? roundUp(this.fill, IO_ALIGNMENT) : this.fill);
      // The block is the write's now: it comes back through the spares.
      this.current = NO_BLOCK;
    }
    await this.release();
    if (this.failure) throw this.failure;
    if (this.direct && length % IO_ALIGNMENT !== 0) await fs.promises.truncate(this.path, length);
    return length;
  }

  /** Closes the file without finishing it (its content is then undefined). */
  async destroy(): Promise<void> {
    await this.release();
  }

  private writeCurrent(bytes: number): void {
    const block = this.current;
    const position = this.offset;
    this.offset += this.fill;
    if (this.failure || this.closed) {
      this.spare.push(block);
      return;
    }
    this.inFlight++;
    const done = (err: Error | null): void => {
      this.inFlight--;
      if (err && !this.failure) this.failure = new Error(`${this.path}: write failed: ${err.message}`, { cause: err });
      this.spare.push(block);
      if (this.inFlight === 0) this.settled?.();
      if (this.inFlight === this.maxWritesInFlight - 1) this.onDrain?.();
    };
    writeFully(this.fd, block, bytes, position, done);
  }

  private async release(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.settled = resolve));
    if (this.current !== NO_BLOCK) this.spare.push(this.current);
    this.current = NO_BLOCK;
    for (const block of this.spare) this.pool.give(block);
    this.spare.length = 0;
    await new Promise<void>((resolve) => fs.close(this.fd, () => resolve()));
  }
}

/** `n` rounded up to a multiple of `to`. */
function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Writes bytes [0, length) of `block` at `position`, however many calls that takes. */
function writeFully(
  fd: number,
  block: Buffer,
  length: number,
  position: number,
  done: (err: Error | null) => void,
): void {
  let written = 0;
  const step = (err: Error | null, n: number): void => {
    if (err) return done(err);
    written += n;
    if (written >= length) return done(null);
    fs.write(fd, block, written, length - written, position + written, step);
  };
  fs.write(fd, block, 0, length, position, step);
}
