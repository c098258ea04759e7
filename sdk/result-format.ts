import * as fs from 'node:fs';
import * as os from 'node:os';
import { UserError } from '../common/index.js';
import { ResultLinesError, verifyResultLines } from '../proto/formats/index.js';
import { ResultTextEncoder } from '../proto/formats/index.js';
import type { ResultFormat } from '../proto/formats/index.js';
import { corruptPart } from './client.js';
import type { GrooveClient, ResultPart } from './client.js';
import { OutputDir } from './output-dir.js';
import { CorruptPartFileError, ResultConverterPool } from './result-converter-pool.js';

/** Part files written at once with --output: their reads, conversions and writes overlap. */
const PARALLEL_PARTS = 4;

/** Most threads converting local part files at once (never more than the cores). */
const MAX_CONVERTER_THREADS = 4;

/** Bytes per read of a local file of result lines copied to stdout. */
const LINES_READ_BYTES = 4 * 1024 * 1024;

/** Options of {@link writeResults}. */
export interface WriteResultsOptions {
  /** Write `part-NNNNN` files into this directory instead of printing to stdout. */
  readonly outputDir?: string;
  /**
   * Move the result lines the reducers wrote on this host into outputDir rather than copy
   * them: for a cluster that is thrown away after (`mr run`). The part files stay, so the
   * results can still be read (and converted) again. Default false.
   */
  readonly moveLocalLines?: boolean;
  /** Replace results (part files, _SUCCESS) already in outputDir instead of refusing it. Default false. */
  readonly overwrite?: boolean;
}

/**
 * Prints a job's results to stdout, or into `dir/part-NNNNN` files (one per partition,
 * empty ones too) and `dir/_SUCCESS`, replacing a directory's results as a whole (see
 * {@link OutputDir}; one that holds results is refused unless `overwrite`). A part whose result lines in `format` its reducer wrote on this host's
 * disk (the job asked for them, see SubmitOptions.resultFormat) is taken as it is: moved or
 * copied into the directory, or copied to stdout. Any other part file is turned into lines
 * chunk by chunk as its bytes arrive (see {@link ResultTextEncoder}), never record by
 * record through objects. With a directory, a few parts are written at once: those on
 * this host's disk each on a converter thread, the others streamed from their workers with
 * asynchronous file writes.
 */
export async function writeResults(client: GrooveClient, jobId: string, format: ResultFormat, options: WriteResultsOptions = {}): Promise<void> {
  const parts = await client.resultParts(jobId);
  const linesPaths = parts.map((part) => client.localResultLinesPath(jobId, part, format));
  const outputDir = options.outputDir;
  if (!outputDir) {
    for (const [i, part] of parts.entries()) {
      const lines = linesPaths[i];
      if (lines !== undefined) {
        await copyToStdout(lines, part);
        continue;
      }
      const encoder = new ResultTextEncoder(format);
      for await (const chunk of client.readPartBytes(jobId, part)) await writeToStdout(Buffer.from(encoder.push(chunk)));
      encoder.end();
    }
    return;
  }
  const out = OutputDir.open(outputDir, options.overwrite === true);
  const localPaths = parts.map((part, i) => (linesPaths[i] === undefined ? client.localPartPath(jobId, part) : undefined));
  const locals = localPaths.filter((p) => p !== undefined).length;
  // Parts on this host's disk are converted on threads, several at once; others stream in here.
  const pool = locals > 1 ? new ResultConverterPool(Math.min(MAX_CONVERTER_THREADS, os.availableParallelism(), locals)) : undefined;
  let next = 0;
  const writePart = async (i: number): Promise<void> => {
    const part = parts[i] as ResultPart;
    const output = out.partPath(part.partition);
    const lines = linesPaths[i];
    const input = localPaths[i];
    if (lines !== undefined) {
      placeLinesFile(lines, output, part, options.moveLocalLines === true);
    } else if (pool && input !== undefined) {
      await pool.convert({ input, output, format }).catch((err: Error) => {
        if (err instanceof CorruptPartFileError) throw corruptPart(part, err.message, err);
        throw new UserError(`cannot read partition ${part.partition} from ${input}: ${err.message} (purged?)`, { cause: err });
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

/** Verifies a reducer's file of result lines against its checksums before any of it is used. */
function checkLines(lines: string, part: ResultPart): void {
  try {
    verifyResultLines(lines);
  } catch (err) {
    if (err instanceof ResultLinesError) throw corruptPart(part, err.message, err);
    throw new UserError(`cannot read partition ${part.partition} from ${lines}: ${(err as Error).message} (purged?)`, { cause: err });
  }
}

/** Puts a reducer's file of result lines at `output` (verified first): renamed when asked to move and on the same file system, else copied. */
function placeLinesFile(lines: string, output: string, part: ResultPart, move: boolean): void {
  checkLines(lines, part);
  try {
    if (move) {
      try {
        fs.renameSync(lines, output);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      }
    }
    fs.copyFileSync(lines, output);
  } catch (err) {
    throw new UserError(`cannot write partition ${part.partition} from ${lines} to ${output}: ${(err as Error).message}`, { cause: err });
  }
}

/** Converts one part into a file. */
async function writePartFile(client: GrooveClient, jobId: string, part: ResultPart, format: ResultFormat, file: string): Promise<void> {
  const encoder = new ResultTextEncoder(format);
  const handle = await fs.promises.open(file, 'w');
  try {
    for await (const chunk of client.readPartBytes(jobId, part)) {
      // The encoder reuses its output buffer: each write completes before the next push.
      const lines = encoder.push(chunk);
      for (let offset = 0; offset < lines.length; ) offset += (await handle.write(lines, offset, lines.length - offset)).bytesWritten;
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

/** Copies a file of result lines to stdout, verified first. */
async function copyToStdout(file: string, part: ResultPart): Promise<void> {
  checkLines(file, part);
  let stream: fs.ReadStream;
  try {
    stream = fs.createReadStream(file, { highWaterMark: LINES_READ_BYTES });
    for await (const chunk of stream) await writeToStdout(chunk as Buffer);
  } catch (err) {
    throw new UserError(`cannot read partition ${part.partition} from ${file}: ${(err as Error).message} (purged?)`, { cause: err });
  }
}

/**
 * Writes lines to stdout, waiting when the pipe is full so memory stays flat. The stream
 * keeps what it is given until it is flushed: the caller must not reuse `lines`.
 */
async function writeToStdout(lines: Buffer): Promise<void> {
  if (lines.length === 0) return;
  if (!process.stdout.write(lines)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
}
