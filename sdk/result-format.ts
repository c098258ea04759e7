import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../common/index.js';
import type { GrooveClient, ResultPart } from './client.js';
import type { ResultFormat } from './result-line.js';
import { ResultConverterPool } from './result-converter-pool.js';
import { ResultTextEncoder } from './result-text-encoder.js';

/** Part files written at once with --output: their reads, conversions and writes overlap. */
const PARALLEL_PARTS = 4;

/** Most threads converting local part files at once (never more than the cores). */
const MAX_CONVERTER_THREADS = 4;

/**
 * Prints a job's results to stdout, or into `dir/part-NNNNN` files (one per partition,
 * empty ones too). Part files are turned into lines chunk by chunk as their bytes arrive
 * (see {@link ResultTextEncoder}), never record by record through objects. With a
 * directory, a few parts are written at once: those on this host's disk (an embedded
 * cluster's) each on a converter thread, the others streamed from their workers with
 * asynchronous file writes. Resolves with the number of records.
 */
export async function writeResults(client: GrooveClient, jobId: string, format: ResultFormat, outputDir?: string): Promise<number> {
  const parts = await client.resultParts(jobId);
  if (!outputDir) {
    let count = 0;
    for (const part of parts) {
      const encoder = new ResultTextEncoder(format);
      for await (const chunk of client.readPartBytes(jobId, part)) await writeToStdout(encoder.push(chunk));
      encoder.end();
      count += encoder.records;
    }
    return count;
  }
  fs.mkdirSync(outputDir, { recursive: true });
  const localPaths = parts.map((part) => client.localPartPath(jobId, part));
  const locals = localPaths.filter((p) => p !== undefined).length;
  // Parts on this host's disk are converted on threads, several at once; others stream in here.
  const pool = locals > 1 ? new ResultConverterPool(Math.min(MAX_CONVERTER_THREADS, os.availableParallelism(), locals)) : undefined;
  let count = 0;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < parts.length) {
      const i = next++;
      const part = parts[i] as ResultPart;
      const output = path.join(outputDir, `part-${String(part.partition).padStart(5, '0')}`);
      const input = localPaths[i];
      if (pool && input !== undefined) {
        count += await pool.convert({ input, output, format }).catch((err: Error) => {
          throw new UserError(`cannot read partition ${part.partition} from ${input}: ${err.message} (purged?)`, { cause: err });
        });
      } else {
        count += await writePartFile(client, jobId, part, format, output);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, parts.length) }, lane));
  } finally {
    await pool?.close();
  }
  return count;
}

/** Converts one part into a file; resolves with its number of records. */
async function writePartFile(client: GrooveClient, jobId: string, part: ResultPart, format: ResultFormat, file: string): Promise<number> {
  const encoder = new ResultTextEncoder(format);
  const handle = await fs.promises.open(file, 'w');
  try {
    for await (const chunk of client.readPartBytes(jobId, part)) {
      // The encoder reuses its output buffer: each write completes before the next push.
      const lines = encoder.push(chunk);
      for (let offset = 0; offset < lines.length; ) offset += (await handle.write(lines, offset, lines.length - offset)).bytesWritten;
    }
    encoder.end();
  } finally {
    await handle.close();
  }
  return encoder.records;
}

/** Writes lines to stdout, waiting when the pipe is full so memory stays flat. */
async function writeToStdout(lines: Buffer): Promise<void> {
  if (lines.length === 0) return;
  // The encoder reuses its buffer and the stream keeps what it is given until it is flushed: hand it a copy.
  if (!process.stdout.write(Buffer.from(lines))) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
}
