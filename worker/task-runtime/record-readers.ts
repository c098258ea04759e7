/**
 * The record readers a job chooses with `reader` (docs/readers.md), past the bytes: lines
 * of a stream of blocks (a decompressed file), a line parsed as JSON or as a `[key, value]`
 * record, and CSV rows keyed by their file's header row (csv-parse, RFC 4180).
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { CsvError, Info } from 'csv-parse';
import { BadInputError } from './bad-input-error.js';
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
function excerpt(line: string): string {
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

/** What the CSV reader hands on besides rows: a bad one, with the line it starts on. */
export type CsvBadRow = (problem: string, line: number) => void;

/** A CSV row as an object keyed by the header's names; a header naming `__proto__` still gives own properties. */
function rowObject(names: readonly string[], fields: readonly string[], plain: boolean): Record<string, string> {
  if (!plain) return Object.fromEntries(names.map((name, i) => [name, fields[i] as string]));
  const row: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) row[names[i] as string] = fields[i] as string;
  return row;
}

/** The line a record starts on: csv-parse counts the line it ends on, and a quoted field may hold line ends. */
function startLine(fields: readonly string[], info: Info): number {
  let inside = 0;
  for (const field of fields) for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) inside++;
  return info.lines - inside;
}

/**
 * Reads the CSV rows of a whole file's bytes (RFC 4180: quoted fields with commas, quotes
 * and line ends; a UTF-8 byte-order mark dropped; blank lines skipped). The first row is
 * the header: every other row goes to `onRow` as an object of its fields keyed by the
 * header's names, all strings. A row with another number of fields than the header, or
 * (with `skipBad`) one csv-parse cannot parse, goes to `onBad` instead.
 * @throws BadInputError naming the input for a parse error when not `skipBad`, or a header naming a column twice.
 */
export async function readCsvRows(
  url: string,
  blocks: AsyncIterable<Buffer>,
  onRow: (row: Record<string, string>) => void,
  onBad: CsvBadRow,
  skipBad: boolean,
): Promise<number> {
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: skipBad,
    on_skip: (err: CsvError | undefined) => {
      onBad(err?.message ?? 'cannot be parsed', Number((err as { lines?: number } | undefined)?.lines ?? 0));
      return undefined;
    },
  });
  const source = Readable.from(blocks);
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  let names: string[] | undefined;
  let plain = true;
  let rows = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      if (names === undefined) {
        names = record;
        const twice = names.find((name, i) => names?.indexOf(name) !== i);
        if (twice !== undefined)
          throw new BadInputError(url, `input ${url}: its header row names the column ${excerpt(twice)} twice`);
        plain = !names.includes('__proto__');
        continue;
      }
      if (record.length !== names.length) {
        onBad(`has ${record.length} fields, the header row ${names.length}`, startLine(record, info));
        continue;
      }
      rows++;
      onRow(rowObject(names, record, plain));
    }
  } catch (err) {
    if ((err as { code?: unknown }).code !== undefined && String((err as CsvError).code).startsWith('CSV_'))
      throw new BadInputError(url, `input ${url}: ${(err as Error).message}`, { cause: err });
    throw err;
  } finally {
    source.destroy();
    parser.destroy();
  }
  return rows;
}
