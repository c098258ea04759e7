/**
 * Direct I/O (O_DIRECT) wants buffers, file offsets and lengths aligned to the device's
 * logical block; 4 KiB covers every common device and filesystem block.
 */
export const IO_ALIGNMENT = 4096;

/** Size of one block of an {@link AlignedBlockPool}: large enough to make syscalls rare. */
export const ALIGNED_BLOCK_BYTES = 1024 * 1024;

/** Blocks carved from one WebAssembly memory. */
const BLOCKS_PER_MEMORY = 8;

/** The unit of a WebAssembly memory's size. */
const WASM_PAGE_BYTES = 64 * 1024;

/** The one piece of the WebAssembly API used here: the ES2022 lib has no WebAssembly typings. */
interface WasmMemoryConstructor {
  new (descriptor: { initial: number; maximum?: number }): { readonly buffer: ArrayBuffer };
}
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryConstructor } }).WebAssembly.Memory;

/** Default {@link AlignedBlockPool} bound on kept free blocks. */
export const DEFAULT_KEPT_BLOCKS = 32;

/**
 * Page-aligned blocks of {@link ALIGNED_BLOCK_BYTES}, reused for the life of the process.
 * Node's Buffers come from malloc, which promises no alignment; a WebAssembly memory starts
 * on a page. Keeping the blocks also keeps their pages resident: on a VM whose host takes
 * back freed guest memory (free page reporting), touching fresh pages costs about 2 ms of
 * CPU per MB, ten times the copy that fills them.
 */
export class AlignedBlockPool {
  private readonly free: Buffer[] = [];

  /** @param keptBlocks - Free blocks kept for reuse, at most; the rest are left to the garbage collector. */
  constructor(readonly keptBlocks: number = DEFAULT_KEPT_BLOCKS) {
    if (!Number.isSafeInteger(keptBlocks) || keptBlocks < 0)
      throw new RangeError(`keptBlocks must be an integer >= 0, got ${String(keptBlocks)}`);
  }

  /** Free blocks held now. */
  get freeBlocks(): number {
    return this.free.length;
  }

  /** A block, contents undefined: a kept one if there is one. */
  take(): Buffer {
    const kept = this.free.pop();
    if (kept) return kept;
    // One memory per few blocks: a WebAssembly memory cannot grow without detaching the
    // views already handed out, and one block per memory would waste address space.
    const pages = (BLOCKS_PER_MEMORY * ALIGNED_BLOCK_BYTES) / WASM_PAGE_BYTES;
    const memory = new WasmMemory({ initial: pages, maximum: pages });
    for (let i = BLOCKS_PER_MEMORY - 1; i > 0; i--)
      this.give(Buffer.from(memory.buffer, i * ALIGNED_BLOCK_BYTES, ALIGNED_BLOCK_BYTES));
    return Buffer.from(memory.buffer, 0, ALIGNED_BLOCK_BYTES);
  }

  /** Hands a block back; the caller must hold no view into it any more. */
  give(block: Buffer): void {
    if (block.length !== ALIGNED_BLOCK_BYTES) throw new RangeError(`not a block of this pool: ${block.length} bytes`);
    if (this.free.length < this.keptBlocks) this.free.push(block);
  }
}

/** The pool every block file writer of this process shares by default. */
export const processBlockPool = new AlignedBlockPool();
