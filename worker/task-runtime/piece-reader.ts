/**
 * Reads one piece of a map task's split (a chunk of a file, or a whole file) with the
 * job's reader: lines, jsonl, csv or records (docs/readers.md), decompressing `.gz` and
 * `.zst` files first, and deals with the records the reader cannot parse as the job's
 * `onBadRecord` says: fail at once naming the input and the line, or skip and count.
 */
import { BAD_RECORDS_COUNTER } from '../../common/index.js';
import type { JobReader } from '../../common/index.js';
import { inputCodecOf } from '../../proto/formats/index.js';
import { storageFor } from '../../storage/index.js';
import type { AnyJob } from '../job-loader.js';
import type { InputPiece } from '../task-spec.js';
import { BadInputError } from './bad-input-error.js';
import { wholeInputBytes } from './input-bytes.js';
import { lineReadBlockSize, readLines } from './line-reader.js';
import type { LineReadResult } from './line-reader.js';
import { jsonLine, NO_RECORD, recordLine, RecordProblem, streamLines } from './record-readers.js';
import { readCsvRows } from './csv-reader.js';
import type { LineParser } from './record-readers.js';
import { checkTextInput, textHeadCheck } from './text-input-check.js';
import type { TaskContext } from './task-context.js';

/**
 * Bytes of a file before a chunk that are read, on a failure only, to give a bad line its
 * number in the file; past this the message counts lines from the chunk's start instead.
 */
const LINE_COUNT_LIMIT_BYTES = 1024 * 1024 * 1024;

/** A bad line found by a line parser, carried out of the (synchronous) line loop to be numbered. */
class BadLine extends Error {
  constructor(
    readonly index: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/** The parser of a line reader, none for `lines` (the line itself, the fast path). */
function lineParserOf(reader: JobReader): LineParser | undefined {
  if (reader === 'jsonl') return jsonLine;
  if (reader === 'records') return recordLine;
  return undefined;
}

/**
 * The number in the file of the first line a chunk at `start` owns (the line reader's
 * rule: the line after the first `\n` at or after byte start - 1), or undefined when
 * that means reading more than {@link LINE_COUNT_LIMIT_BYTES}.
 */
async function firstLineNumber(url: string, start: number): Promise<number | undefined> {
  if (start === 0) return 1;
  if (start - 1 > LINE_COUNT_LIMIT_BYTES) return undefined;
  const reader = await storageFor(url).openReader(url);
  let lines = 0;
  try {
    const block = Buffer.allocUnsafe(Math.min(1024 * 1024, start));
    for (let position = 0; position < start - 1;) {
      const n = await reader.read(block, 0, Math.min(block.length, start - 1 - position), position);
      if (n === 0) break;
      for (let i = block.indexOf(0x0a); i !== -1 && i < n; i = block.indexOf(0x0a, i + 1)) lines++;
      position += n;
    }
  } finally {
    await reader.close();
  }
  return lines + 2;
}

/** Where line `index` (from 1) of a piece is, in words: its number in the file when known. */
async function lineWhere(piece: InputPiece, index: number, wholeFile: boolean): Promise<string> {
  const first = wholeFile ? 1 : await firstLineNumber(piece.path, piece.start);
  return first === undefined ? `line ${index} of the chunk at byte ${piece.start}` : `line ${first + index - 1}`;
}

/**
 * Maps the records of one piece with the job's reader (a piece marked `jsonRecords`, an
 * earlier job's results stored as jsonl, is read as records whatever the reader).
 * @throws BadInputError naming the input (and the line) for a bad record when the job does not skip them,
 *   an input that is not text, or compressed data that is corrupt or not what its name says.
 */
export async function readPiece(
  piece: InputPiece,
  job: AnyJob,
  ctx: TaskContext,
  onRecord: (record: unknown) => void,
): Promise<LineReadResult> {
  const reader: JobReader = piece.jsonRecords ? 'records' : (job.reader ?? 'lines');
  const compressed = inputCodecOf(piece.path) !== undefined;
  const binaryText = job.binaryText === true;
  // Every chunk's task looks at its file's first block (one small read), so whichever runs
  // first fails the job; a binary file would otherwise map as garbage text. A compressed
  // file's data is checked once decompressed (input-bytes.ts).
  // A piece at a file's start (every piece of a packed split) is looked at in the line
  // reader's first reads: one open of a small file, not two.
  const checked = !binaryText && !compressed && !piece.jsonRecords;
  const inLineReader = checked && piece.start === 0 && reader !== 'csv';
  if (checked && !inLineReader) await checkTextInput(piece.path);
  const head = inLineReader ? textHeadCheck(piece.path) : undefined;
  let skipped = 0;
  const skip = (where: string, problem: string): void => {
    ctx.counters.increment(BAD_RECORDS_COUNTER);
    // The first of a task is logged with where it was; the counter says how many in all.
    if (skipped++ === 0)
      ctx.log.warn(`skipped a bad record of ${piece.path}: ${[where, problem].filter(Boolean).join(' ')}`);
  };
  if (reader === 'csv') return readCsvPiece(piece, job, onRecord, skip);
  const whole = compressed || piece.length === Infinity;
  const parse = lineParserOf(reader);
  let index = 0;
  const onLine =
    parse === undefined
      ? onRecord
      : (line: string): void => {
          index++;
          let record: unknown;
          try {
            record = parse(line);
          } catch (err) {
            if (!(err instanceof RecordProblem)) throw err;
            if (job.onBadRecord !== 'skip') throw new BadLine(index, err.message);
            skip(
              whole || piece.start === 0 ? `line ${index}` : `line ${index} of the chunk at byte ${piece.start}`,
              err.message,
            );
            return;
          }
          if (record !== NO_RECORD) onRecord(record);
        };
  try {
    if (!compressed)
      return await readLines(piece.path, piece.start, piece.length, onLine, lineReadBlockSize(piece.length), head);
    const count = { fileBytes: 0 };
    const read = await streamLines(wholeInputBytes(piece.path, binaryText, count), onLine);
    return { ...read, bytesRead: count.fileBytes };
  } catch (err) {
    if (!(err instanceof BadLine)) throw err;
    const where = await lineWhere(piece, err.index, whole);
    throw new BadInputError(piece.path, `input ${piece.path}: ${where} ${err.problem}`, { cause: err });
  }
}

/** A whole CSV file's rows (a CSV file is never cut: a quoted field may hold a line end). */
async function readCsvPiece(
  piece: InputPiece,
  job: AnyJob,
  onRecord: (record: unknown) => void,
  skip: (where: string, problem: string) => void,
): Promise<LineReadResult> {
  // The master reads a CSV job's files whole (master/whole-inputs.ts); a cut one would lose rows.
  if (piece.start !== 0)
    throw new Error(`CSV input ${piece.path} was cut at byte ${piece.start}: it must be read whole`);
  const count = { fileBytes: 0 };
  let opened = 0;
  const rows = await readCsvRows({
    url: piece.path,
    // The second opening (to number a bad row) must not count the file's bytes twice.
    open: () => wholeInputBytes(piece.path, job.binaryText === true, opened++ === 0 ? count : { fileBytes: 0 }),
    onRow: onRecord,
    skipBad: job.onBadRecord === 'skip',
    onSkip: skip,
  });
  return { records: rows, bytesRead: count.fileBytes, replacedChars: 0 };
}
