import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GrooveClient } from './client.js';
import type { ResultFormat } from './result-line.js';
import { ResultTextEncoder } from './result-text-encoder.js';

/**
 * Prints a job's results to stdout, or into `dir/part-NNNNN` files (one per partition,
 * empty ones too). Part files are turned into lines chunk by chunk as their bytes arrive
 * (see {@link ResultTextEncoder}), never record by record through objects. Resolves with
 * the number of records.
 */
export async function writeResults(client: GrooveClient, jobId: string, format: ResultFormat, outputDir?: string): Promise<number> {
  let count = 0;
  const parts = await client.resultParts(jobId);
  if (outputDir) fs.mkdirSync(outputDir, { recursive: true });
  for (const part of parts) {
    const encoder = new ResultTextEncoder(format);
    if (!outputDir) {
      for await (const chunk of client.readPartBytes(jobId, part)) await writeToStdout(encoder.push(chunk));
    } else {
      const fd = fs.openSync(path.join(outputDir, `part-${String(part.partition).padStart(5, '0')}`), 'w');
      try {
        for await (const chunk of client.readPartBytes(jobId, part)) writeAll(fd, encoder.push(chunk));
      } finally {
        fs.closeSync(fd);
      }
    }
    encoder.end();
    count += encoder.records;
  }
  return count;
}

/** Writes lines to stdout, waiting when the pipe is full so memory stays flat. */
async function writeToStdout(lines: Buffer): Promise<void> {
  if (lines.length === 0) return;
  // The encoder reuses its buffer and the stream keeps what it is given until it is flushed: hand it a copy.
  if (!process.stdout.write(Buffer.from(lines))) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
}

function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}
