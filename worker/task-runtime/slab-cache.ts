/**
 * Arena slabs kept in a pool process from one task to the next. A pool process lives for
 * many tasks, and a map task used to allocate a fresh slab (up to 4 MiB) whatever the size
 * of its output: for tiny tasks, allocating those slabs and the garbage collections their
 * external memory triggered were most of the process's time. A task now takes the slab the
 * previous one released.
 */

/** Default {@link SlabCache} capacity: one regular slab, so an idle pool process holds at most this much extra. */
export const DEFAULT_SLAB_CACHE_BYTES = 4 * 1024 * 1024;

/**
 * A free list of equally sized slabs, bounded in bytes. Slabs of another size than the
 * cached ones replace them (a process runs one job's tasks at a time, so the size rarely
 * changes), and slabs past the bound are left to the garbage collector.
 */
export class SlabCache {
  private readonly free: Buffer[] = [];
  private cachedBytes = 0;

  /** @param maxBytes - Most bytes of slabs kept, an integer >= 0 (0 keeps none). */
  constructor(readonly maxBytes: number = DEFAULT_SLAB_CACHE_BYTES) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
      throw new RangeError(`maxBytes must be an integer >= 0, got ${String(maxBytes)}`);
  }

  /** Bytes of slabs held now. */
  get bytes(): number {
    return this.cachedBytes;
  }

  /** A slab of exactly `size` bytes, uninitialised: a cached one if there is one, else a new one. */
  take(size: number): Buffer {
    const slab = this.free.length > 0 && (this.free[0] as Buffer).length === size ? this.free.pop() : undefined;
    if (!slab) return Buffer.allocUnsafeSlow(size);
    this.cachedBytes -= size;
    return slab;
  }

  /**
   * Hands a slab back; the caller must hold no view into it any more, since the next
   * {@link take} gives it to someone else.
   */
  give(slab: Buffer): void {
    if (this.free.length > 0 && (this.free[0] as Buffer).length !== slab.length) {
      this.free.length = 0;
      this.cachedBytes = 0;
    }
    if (this.cachedBytes + slab.length > this.maxBytes) return;
    this.free.push(slab);
    this.cachedBytes += slab.length;
  }
}

/** The cache every arena of this process shares by default. */
export const processSlabCache = new SlabCache();
