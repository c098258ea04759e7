import * as fs from 'node:fs';
import type { ResultFormat } from '../proto/formats/index.js';
import { PartFileVerifier } from '../proto/formats/index.js';
import { ResultTextEncoder } from '../proto/formats/index.js';
import { storageFor, verifyStoredPart } from '../storage/index.js';

/** Bytes per read of a part file. */
const READ_BYTES = 4 * 1024 * 1024;

/**
 * Converts a stored part file (read through the storage seam, where its reducer wrote it)
 * into a local result file of lines (see {@link ResultTextEncoder}); resolves with its
 * number of records. The part file is verified whole first (proto/formats/record-blocks.ts),
 * so a corrupt one writes no line. Meant to run on a thread of its own, several parts at
 * once; the writes are plain synchronous ones, the thread has nothing else to do.
 */
export async function convertPartFile(input: string, output: string, format: ResultFormat): Promise<number> {
  await verifyStoredPart(input);
  const verifier = new PartFileVerifier(input);
  const encoder = new ResultTextEncoder(format);
  const block = Buffer.allocUnsafe(READ_BYTES);
  const from = await storageFor(input).openReader(input);
  try {
    const to = fs.openSync(output, 'w');
    try {
      for (let position = 0; ;) {
        const n = await from.read(block, 0, block.length, position);
        if (n === 0) break;
        position += n;
        const lines = encoder.push(verifier.push(block.subarray(0, n)));
        for (let offset = 0; offset < lines.length;) offset += fs.writeSync(to, lines, offset, lines.length - offset);
      }
    } finally {
      fs.closeSync(to);
    }
  } finally {
    await from.close();
  }
  verifier.end();
  encoder.end();
  return encoder.records;
}
