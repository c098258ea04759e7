import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BLOCK_HEADER_BYTES,
  blockChecksum,
  encodePartFileEnd,
  MAX_BLOCK_PAYLOAD_BYTES,
  writeBlockHeader,
} from '../../proto/formats/index.js';
import { encodeMapOutputIndex } from '../../proto/formats/index.js';

/** Deterministic bytes, different at every offset of a chunk, so a lost or doubled chunk shows. */
export function pattern(length: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** Writes a map output (its partitions' bytes followed by the index trailer) into `dataDir/dir`. */
export function writeMapOutput(dataDir: string, dir: string, partitions: readonly Buffer[]): void {
  const full = path.join(dataDir, dir);
  fs.mkdirSync(full, { recursive: true });
  const data = Buffer.concat(partitions);
  const offsets = [0];
  for (const p of partitions) offsets.push((offsets[offsets.length - 1] as number) + p.length);
  fs.writeFileSync(
    path.join(full, 'output.data'),
    Buffer.concat([data, encodeMapOutputIndex({ offsets, records: 1, bytes: data.length, spills: 0 })]),
  );
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/**
 * `content` framed as a part file: checksummed blocks of it and the end marker. The worker's
 * ReadResult checks the blocks, not the records in them, so any bytes do.
 */
export function checksummedPartFile(content: Buffer): Buffer {
  const pieces: Buffer[] = [];
  let blocks = 0;
  for (let at = 0; at < content.length; at += MAX_BLOCK_PAYLOAD_BYTES, blocks++) {
    const payload = content.subarray(at, at + MAX_BLOCK_PAYLOAD_BYTES);
    const header = Buffer.alloc(BLOCK_HEADER_BYTES);
    writeBlockHeader(header, 0, payload.length, blockChecksum(payload, 0, payload.length));
    pieces.push(header, payload);
  }
  pieces.push(encodePartFileEnd(content.length, blocks));
  return Buffer.concat(pieces);
}
