import * as fs from 'node:fs';
import type { ResultFormat } from '../proto/formats/index.js';
import { PartFileVerifier, verifyPartFileSync } from '../proto/formats/index.js';
import { ResultTextEncoder } from '../proto/formats/index.js';

/** Bytes per read of a part file. */
const READ_BYTES = 4 * 1024 * 1024;

/**
 * Converts a part file on this host into a result file of lines (see
 * {@link ResultTextEncoder}); returns its number of records. The part file is verified
 * whole first (proto/record-blocks.ts), so a corrupt one writes no line. Synchronous, with
 * plain reads and writes: it is meant to run on a thread of its own, several parts at once.
 */
export function convertPartFile(input: string, output: string, format: ResultFormat): number {
  verifyPartFileSync(input);
  const verifier = new PartFileVerifier(input);
  const encoder = new ResultTextEncoder(format);
  const block = Buffer.allocUnsafe(READ_BYTES);
  const from = fs.openSync(input, 'r');
  try {
    const to = fs.openSync(output, 'w');
    try {
      for (;;) {
        const n = fs.readSync(from, block, 0, block.length, null);
        if (n === 0) break;
        const lines = encoder.push(verifier.push(block.subarray(0, n)));
        for (let offset = 0; offset < lines.length; ) offset += fs.writeSync(to, lines, offset, lines.length - offset);
      }
    } finally {
      fs.closeSync(to);
    }
  } finally {
    fs.closeSync(from);
  }
  verifier.end();
  encoder.end();
  return encoder.records;
}
