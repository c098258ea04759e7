/**
 * The line readers a job chooses with `reader` (docs/readers.md), past the bytes: lines of
 * a stream of blocks (a decompressed file), a line parsed as JSON or as a `[key, value]`
 * record. CSV rows are csv-reader.ts's.
 */
import { replacedChars } from './line-reader.js';
import type { LineReadResult } from './line-reader.js';

/**
 * A record its reader cannot parse, thrown by the line parsers below: the piece reader
 * skips it or turns it into a {@link BadInputError} naming the input and the line.
 */
export class RecordProblem extends Error {}

/** What a line parser returns for a line that holds no record (a blank jsonl line). */
export const NO_RECORD: unique symbol = Symbol('no record');

/** Turns one line into the record map gets. */
export type LineParser = (line: string) => unknown;

/** The start of a line that is not what it should be, for a message: short, on one line. */
export function excerpt(line: string): string {
  const text = line.length > 60 ? `${line.slice(0, 60)}...` : line;
  return JSON.stringify(text);
}

/**
 * The `jsonl` reader's parser: a line's JSON value; a blank line (spaces only) holds none.
 * @throws RecordProblem with JSON.parse's message when the line is not JSON.
 */
export function jsonLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (err) {
    if (line.trim() === '') return NO_RECORD;
    throw new RecordProblem(`is not JSON (${(err as Error).message}): ${excerpt(line)}`);
  }
}

/**
 * The `records` reader's parser over text: a line of `[key, value]` JSON (what `mr results
 * --format jsonl` writes, and a job's results stored as jsonl).
 * @throws RecordProblem when the line is not such a pair.
 */
export function recordLine(line: string): unknown {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    record = undefined;
  }
  if (!Array.isArray(record) || record.length !== 2)
    throw new RecordProblem(`is not a [key, value] JSON array: ${excerpt(line)}`);
  return record;
}

/**
 * Calls onLine for every line of a stream of blocks, as {@link readLines} does for a
 * range of a file (`\n` ends a line, a `\r` before it is dropped, a last line without `\n`
 * is a record, invalid UTF-8 is read as U+FFFD and counted): a compressed file's lines.
 */
export async function streamLines(
  blocks: AsyncIterable<Buffer>,
  onLine: (line: string) => void,
): Promise<LineReadResult> {
  let carry = Buffer.alloc(0);
  let records = 0;
  let bytes = 0;
  let replaced = 0;
  const emit = (data: Buffer, from: number, end: number): void => {
    const lineEnd = end > from && data[end - 1] === 0x0d ? end - 1 : end;
    onLine(data.toString('utf8', from, lineEnd));
    records++;
  };
  for await (const block of blocks) {
    bytes += block.length;
    const data = carry.length > 0 ? Buffer.concat([carry, block]) : block;
    let from = 0;
    for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a, from)) {
      emit(data, from, nl);
      from = nl + 1;
    }
    // Whole lines only, so no character is split between two checks.
    if (from > 0) replaced += replacedChars(data.subarray(0, from));
    carry = from === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(from));
  }
  if (carry.length > 0) {
    emit(carry, 0, carry.length);
    replaced += replacedChars(carry);
  }
  return { records, bytesRead: bytes, replacedChars: replaced };
}
