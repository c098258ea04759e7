import * as fs from 'node:fs';
import * as os from 'node:os';
import { UserError } from '../common/index.js';
import { ResultTextEncoder } from '../proto/formats/index.js';
import type { ResultFormat } from '../proto/formats/index.js';
import { corruptPart } from './client.js';
import type { GrooveClient, ResultPart } from './client.js';
import { OutputDir } from './output-dir.js';
import { CorruptPartFileError, ResultConverterPool } from './result-converter-pool.js';
import { storedResultsOf, writeStoredResults } from './stored-results.js';

/** Part files written at once with --output: their reads, conversions and writes overlap. */
const PARALLEL_PARTS = 4;

/** Most threads converting local part files at once (never more than the cores). */
const MAX_CONVERTER_THREADS = 4;

/** Options of {@link writeResults}. */
export interface WriteResultsOptions {
  /** Write `part-NNNNN` files into this directory instead of printing to stdout. */
  readonly outputDir?: string;
  /** Replace results (part files, _SUCCESS) already in outputDir instead of refusing it. Default false. */
  readonly overwrite?: boolean;
}

/**
 * Prints a job's results to stdout, or into `dir/part-NNNNN` files (one per partition,
 * empty ones too) and `dir/_SUCCESS`, replacing a directory's results as a whole (see
 * {@link OutputDir}; one that holds results is refused unless `overwrite`). Every part is
 * read from the one place its reducer wrote it (its part file, through the storage seam on
 * this host or streamed from its worker) and turned into lines chunk by chunk as its bytes
 * arrive (see {@link ResultTextEncoder}), never record by record through objects: `mr run`
 * and `mr results` take the same path. With a directory, a few parts are written at once:
 * those on this host's disk each on a converter thread, the others streamed from their
 * workers with asynchronous file writes.
 */
export async function writeResults(
  client: GrooveClient,
  jobId: string,
  format: ResultFormat,
  options: WriteResultsOptions = {},
): Promise<void> {
  const locations = await client.resultLocations(jobId);
  const stored = storedResultsOf(locations);
  // A job committed to a store: its results are read from there, whatever became of its workers.
  if (stored) return writeStoredResults(stored, format, writeToStdout, options);
  const parts = [...locations.parts].sort((a, b) => a.partition - b.partition);
  const outputDir = options.outputDir;
  if (!outputDir) {
    for (const part of parts) {
      const encoder = new ResultTextEncoder(format);
      for await (const chunk of client.readPartBytes(jobId, part))
        await writeToStdout(Buffer.from(encoder.push(chunk)));
      encoder.end();
    }
    return;
  }
  const out = OutputDir.open(outputDir, options.overwrite === true);
  const localPaths = parts.map((part) => client.localPartPath(jobId, part));
  const locals = localPaths.filter((p) => p !== undefined).length;
  // Parts on this host's disk are converted on threads, several at once; others stream in here.
  const pool =
    locals > 1
      ? new ResultConverterPool(Math.min(MAX_CONVERTER_THREADS, os.availableParallelism(), locals))
      : undefined;
  let next = 0;
  const writePart = async (i: number): Promise<void> => {
    const part = parts[i] as ResultPart;
    const output = out.partPath(part.partition);
    const input = localPaths[i];
    if (pool && input !== undefined) {
      await pool.convert({ input, output, format }).catch((err: Error) => {
        if (err instanceof CorruptPartFileError) throw corruptPart(part, err.message, err);
        throw new UserError(`cannot read partition ${part.partition} from ${input}: ${err.message} (purged?)`, {
          cause: err,
        });
      });
    } else {
      await writePartFile(client, jobId, part, format, output);
    }
  };
  const lane = async (): Promise<void> => {
    while (next < parts.length) {
      const i = next++;
      try {
        await writePart(i);
      } catch (err) {
        next = parts.length; // the other lanes take no more parts
        throw err;
      }
    }
  };
  let lanes: PromiseSettledResult<void>[];
  try {
    // Every lane ends before the hidden directory can go: none still writes into it.
    lanes = await Promise.allSettled(Array.from({ length: Math.min(PARALLEL_PARTS, parts.length) }, lane));
  } finally {
    await pool?.close();
  }
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) {
    out.abort();
    throw failed.reason;
  }
  out.commit();
}

/** Converts one part into a file. */
async function writePartFile(
  client: GrooveClient,
  jobId: string,
  part: ResultPart,
  format: ResultFormat,
  file: string,
): Promise<void> {
  const encoder = new ResultTextEncoder(format);
  const handle = await fs.promises.open(file, 'w');
  try {
    for await (const chunk of client.readPartBytes(jobId, part)) {
      // The encoder reuses its output buffer: each write completes before the next push.
      const lines = encoder.push(chunk);
      for (let offset = 0; offset < lines.length;)
        offset += (await handle.write(lines, offset, lines.length - offset)).bytesWritten;
    }
    encoder.end();
  } catch (err) {
    // No partial file of a partition that could not be read (a corrupt one, say) is left to look like a result.
    await handle.close();
    await fs.promises.rm(file, { force: true });
    throw err;
  }
  await handle.close();
}

/**
 * Writes lines to stdout, waiting when the pipe is full so memory stays flat. The stream
 * keeps what it is given until it is flushed: the caller must not reuse `lines`.
 */
async function writeToStdout(lines: Buffer): Promise<void> {
  if (lines.length === 0) return;
  if (!process.stdout.write(lines)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
}
