import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { GrooveError } from '../../common/index.js';

/**
 * Checksummed blocks: how every record file Groove writes (map outputs, spill runs, fetched
 * copies, part files) frames its records on disk. A file is a sequence of blocks, each
 * `uint32 LE payload length | uint32 LE CRC32 of the payload | payload`, the payload being
 * whole records (a record never straddles two blocks). A reader verifies a block's
 * checksum before it uses any record in it, so a flipped bit on a disk, in a transfer or
 * in a fetched copy is an error naming the file and offset, never a wrong answer.
 *
 * CRC32 rather than Hadoop's CRC32C: Node has a native zlib.crc32 (over a GB/s), and the
 * point is detection, not the polynomial. Blocks hold at most {@link MAX_BLOCK_PAYLOAD_BYTES}
 * (a record bigger than that gets a block of its own), so a reader whose read buffer is
 * that size can always hold a whole block and verify it before use.
 */

/** Bytes of a block header: payload length and CRC32. */
export const BLOCK_HEADER_BYTES = 8;

/**
 * Most payload bytes in a block, except a block holding one bigger record. A block and its
 * header then fit in 16 KiB, the smallest read block a reducer uses per map output.
 */
export const MAX_BLOCK_PAYLOAD_BYTES = 16 * 1024 - BLOCK_HEADER_BYTES;

/**
 * The first word of a part file's end marker where a block's length would be: no block is
 * this long. See {@link encodePartFileEnd}.
 */
const END_MARKER = 0xffffffff;

/** Bytes of a part file's end marker: marker word, CRC32 of the rest, payload bytes (uint64), blocks (uint32). */
export const PART_FILE_END_BYTES = 4 + 4 + 8 + 4;

/** CRC32 of buf[start, end). */
export function blockChecksum(buf: Buffer, start: number, end: number): number {
  return zlib.crc32(start === 0 && end === buf.length ? buf : buf.subarray(start, end));
}

/** Writes a block header for a payload of `length` bytes with checksum `crc` at buf[at]. */
export function writeBlockHeader(buf: Buffer, at: number, length: number, crc: number): void {
  if (!(length > 0 && length < END_MARKER)) throw new RangeError(`a block cannot hold ${length} bytes`);
  buf.writeUInt32LE(length, at);
  buf.writeUInt32LE(crc, at + 4);
}

/**
 * The end marker of a part file, after its last block: it makes a part file cut at a block
 * boundary detectably short, and says how many payload bytes and blocks came before it.
 */
export function encodePartFileEnd(payloadBytes: number, blocks: number): Buffer {
  const end = Buffer.alloc(PART_FILE_END_BYTES);
  end.writeUInt32LE(END_MARKER, 0);
  end.writeBigUInt64LE(BigInt(payloadBytes), 8);
  end.writeUInt32LE(blocks, 16);
  end.writeUInt32LE(zlib.crc32(end.subarray(8)), 4);
  return end;
}

/**
 * Checks a part file's end marker (its last PART_FILE_END_BYTES bytes) and returns what it
 * counts: a reader that reads the blocks before it (without a {@link PartFileVerifier})
 * checks first that the file was written to its end.
 * @throws {@link BlockChecksumError} naming `file` when `end` is not a valid end marker.
 */
export function readPartFileEnd(file: string, end: Buffer, at: number): { payloadBytes: number; blocks: number } {
  if (end.length !== PART_FILE_END_BYTES || end.readUInt32LE(0) !== END_MARKER)
    throw new BlockChecksumError(file, at, 'the file ends without its end marker (truncated)');
  if (zlib.crc32(end.subarray(8)) !== end.readUInt32LE(4))
    throw new BlockChecksumError(file, at, 'checksum mismatch in the end marker');
  return { payloadBytes: Number(end.readBigUInt64LE(8)), blocks: end.readUInt32LE(16) };
}

/** A checksummed file is short or corrupt; `offset` is where (in the file, or in the stream fed so far). */
export class BlockChecksumError extends GrooveError {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason} at offset ${offset}`, options);
  }
}

/**
 * Verifies and unframes a part file fed in chunks of any size (as read from disk or
 * streamed from a worker): returns the payload of every block completed so far, after
 * checking its checksum; `end()` checks the end marker came, and that it counts the
 * blocks and bytes seen. The returned buffer is the chunk itself compacted in place where
 * possible (the caller's chunk is overwritten), valid until the next push.
 */
export class PartFileVerifier {
  /** Bytes of an unfinished block (or end marker) carried over from earlier chunks. */
  private pending: Buffer = Buffer.alloc(0);
  private offset = 0;
  private blocks = 0;
  private payloadBytes = 0;
  private ended = false;

  constructor(private readonly file: string) {}

  /** Feeds the next bytes of the file; returns the verified payload bytes they completed. */
  push(chunk: Buffer): Buffer {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let read = 0;
    let write = 0;
    while (buf.length - read >= BLOCK_HEADER_BYTES) {
      const at = this.offset + read;
      if (this.ended) throw this.bad(at, 'bytes after the end marker');
      const length = buf.readUInt32LE(read);
      if (length === END_MARKER) {
        if (buf.length - read < PART_FILE_END_BYTES) break;
        this.checkEnd(buf.subarray(read, read + PART_FILE_END_BYTES), at);
        read += PART_FILE_END_BYTES;
        continue;
      }
      if (length === 0) throw this.bad(at, 'empty block (corrupt header)');
      if (buf.length - read - BLOCK_HEADER_BYTES < length) break;
      const start = read + BLOCK_HEADER_BYTES;
      if (blockChecksum(buf, start, start + length) !== buf.readUInt32LE(read + 4)) {
        throw this.bad(at, `checksum mismatch in a block of ${length} bytes`);
      }
      if (write !== start) buf.copyWithin(write, start, start + length);
      write += length;
      read = start + length;
      this.blocks++;
      this.payloadBytes += length;
    }
    this.offset += read;
    // Copy the tail so the caller's chunk can be reused.
    this.pending = Buffer.from(buf.subarray(read));
    return buf.subarray(0, write);
  }

  /** Throws unless the file ended with its end marker, right after its last block. */
  end(): { blocks: number; payloadBytes: number } {
    if (this.ended && this.pending.length) throw this.bad(this.offset, 'bytes after the end marker');
    if (!this.ended) {
      const at = this.offset + this.pending.length;
      throw this.bad(
        at,
        this.pending.length ? 'the file ends inside a block' : 'the file ends without its end marker (truncated)',
      );
    }
    return { blocks: this.blocks, payloadBytes: this.payloadBytes };
  }

  private checkEnd(end: Buffer, at: number): void {
    if (zlib.crc32(end.subarray(8)) !== end.readUInt32LE(4)) throw this.bad(at, 'checksum mismatch in the end marker');
    const bytes = Number(end.readBigUInt64LE(8));
    const blocks = end.readUInt32LE(16);
    if (bytes !== this.payloadBytes || blocks !== this.blocks) {
      throw this.bad(
        at,
        `the end marker counts ${blocks} blocks of ${bytes} bytes, the file has ${this.blocks} of ${this.payloadBytes}`,
      );
    }
    this.ended = true;
  }

  private bad(offset: number, reason: string): BlockChecksumError {
    return new BlockChecksumError(this.file, offset, reason);
  }
}

/** Bytes per read when a whole part file is verified. */
const VERIFY_READ_BYTES = 1024 * 1024;

/**
 * Reads a whole part file and verifies every block and its end marker, before any of it is
 * used: a reader that must not emit a record of a corrupt file (`mr results`) checks first.
 * A second read of a file just written mostly comes from the page cache.
 * @throws {@link BlockChecksumError} naming the file and offset of the damage.
 */
export async function verifyPartFile(file: string): Promise<{ blocks: number; payloadBytes: number }> {
  const verifier = new PartFileVerifier(file);
  const handle = await fs.promises.open(file, 'r');
  try {
    const block = Buffer.allocUnsafe(VERIFY_READ_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(block, 0, block.length, null);
      if (bytesRead === 0) break;
      verifier.push(block.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return verifier.end();
}

/** {@link verifyPartFile}, synchronously (for a thread of its own). */
export function verifyPartFileSync(file: string): { blocks: number; payloadBytes: number } {
  const verifier = new PartFileVerifier(file);
  const fd = fs.openSync(file, 'r');
  try {
    const block = Buffer.allocUnsafe(VERIFY_READ_BYTES);
    for (;;) {
      const n = fs.readSync(fd, block, 0, block.length, null);
      if (n === 0) break;
      verifier.push(block.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return verifier.end();
}
