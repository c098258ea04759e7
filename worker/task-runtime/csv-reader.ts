/**
 * The `csv` reader: the rows of a whole CSV file (RFC 4180, by csv-parse) as objects keyed
 * by the file's header row. The fast path asks csv-parse for nothing but the fields (its
 * per-record `info` costs more than the parse); a bad row's line number is found, on the
 * failure path only, by reading the file again.
 */
import type * as CsvParse from 'csv-parse';
import type { CsvError, Info } from 'csv-parse';
import { BadInputError } from './bad-input-error.js';
import { excerpt } from './record-readers.js';

/** What {@link readCsvRows} needs. */
export interface CsvReadOptions {
  /** The input's name, for messages. */
  readonly url: string;
  /** Opens the file's bytes from its first (decompressed): once, and again to number a bad row. */
  readonly open: () => AsyncIterable<Buffer>;
  readonly onRow: (row: Record<string, string>) => void;
  /** Skip bad rows (`onBadRecord: 'skip'`), telling `onSkip`; otherwise the first fails the read. */
  readonly skipBad: boolean;
  readonly onSkip: (where: string, problem: string) => void;
}

/** The options every parse of a file uses, so the two passes see the same records. */
const BASE_OPTIONS = { bom: true, relax_column_count: true, skip_empty_lines: true } as const;

/** A row with the wrong number of fields, carried out of the parser's callback. */
class BadRow extends Error {
  constructor(
    readonly record: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/** A CSV row as an object keyed by the header's names; a header naming `__proto__` still gives own properties. */
function rowObject(names: readonly string[], fields: readonly string[], plain: boolean): Record<string, string> {
  if (!plain) return Object.fromEntries(names.map((name, i) => [name, fields[i] as string]));
  const row: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) row[names[i] as string] = fields[i] as string;
  return row;
}

/** True for csv-parse's own errors (a quote not closed, a stray quote), which name their line. */
function isCsvError(err: unknown): err is CsvError {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('CSV_');
}

/**
 * Feeds the file's blocks to a parser whose records go to `onRecord` (synchronously, from
 * the parser's data events); resolves when the file ends, and rejects with the first error
 * of the parser, of the read, or of `onRecord`.
 */
async function parseAll(
  blocks: AsyncIterable<Buffer>,
  options: Record<string, unknown>,
  onRecord: (record: unknown) => void,
): Promise<void> {
  // Loaded by the first CSV input: every pool process would load it at start otherwise.
  const { parse } = require('csv-parse') as typeof CsvParse;
  const parser = parse({ ...BASE_OPTIONS, ...options });
  let failure: { error: unknown } | undefined;
  parser.on('data', (record: unknown) => {
    if (failure !== undefined) return;
    try {
      onRecord(record);
    } catch (err) {
      failure = { error: err };
    }
  });
  const ended = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  // The read loop below stops at a parser error; `ended` says which.
  ended.catch(() => undefined);
  try {
    for await (const block of blocks) {
      if (failure !== undefined || parser.destroyed) break;
      parser.write(block);
    }
    // Past a failure of onRecord the rest is not read, so the parser would never end.
    if (failure === undefined) {
      if (!parser.destroyed) parser.end();
      await ended;
    }
  } finally {
    if (!parser.destroyed) parser.destroy();
  }
  if (failure !== undefined) throw failure.error;
}

/** The line the `record`th record (from 1, the header's) of the file starts on, by a second pass that counts lines. */
async function lineOfRecord(open: () => AsyncIterable<Buffer>, record: number): Promise<number> {
  let n = 0;
  let line = 0;
  const found = new Error('found');
  try {
    await parseAll(open(), { info: true }, (r) => {
      if (++n < record) return;
      const { record: fields, info } = r as { record: string[]; info: Info };
      // csv-parse counts the line a record ends on; a quoted field may hold line ends.
      let inside = 0;
      for (const f of fields) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) inside++;
      line = info.lines - inside;
      throw found;
    });
  } catch (err) {
    if (err !== found) throw err;
  }
  return line;
}

/**
 * Reads the CSV rows of a whole file (RFC 4180: quoted fields with commas, quotes and line
 * ends; a UTF-8 byte-order mark dropped; blank lines skipped). The first row is the
 * header: every other row goes to `onRow` as an object of its fields keyed by the header's
 * names, all strings. A row with another number of fields than the header, or one
 * csv-parse cannot parse, fails the read naming its line, or with `skipBad` is skipped.
 * @returns the number of rows given to `onRow`.
 * @throws BadInputError naming the input and the line, or a header naming a column twice.
 */
export async function readCsvRows(options: CsvReadOptions): Promise<number> {
  const { url, skipBad, onSkip, onRow } = options;
  let names: string[] | undefined;
  let plain = true;
  let records = 0;
  let rows = 0;
  const onRecord = (value: unknown): void => {
    const record = value as string[];
    records++;
    if (names === undefined) {
      names = record;
      const twice = names.find((name, i) => names?.indexOf(name) !== i);
      if (twice !== undefined)
        throw new BadInputError(url, `input ${url}: its header row names the column ${excerpt(twice)} twice`);
      plain = !names.includes('__proto__');
      return;
    }
    if (record.length !== names.length) {
      const problem = `has ${record.length} fields, the header row ${names.length}`;
      if (!skipBad) throw new BadRow(records, problem);
      onSkip(`row ${records - 1} (after the header)`, problem);
      return;
    }
    rows++;
    onRow(rowObject(names, record, plain));
  };
  const skipping = skipBad
    ? {
        skip_records_with_error: true,
        on_skip: (err: CsvError | undefined): undefined => void onSkip('', err?.message ?? 'cannot be parsed'),
      }
    : {};
  try {
    await parseAll(options.open(), skipping, onRecord);
  } catch (err) {
    if (err instanceof BadRow) {
      const line = await lineOfRecord(options.open, err.record);
      throw new BadInputError(url, `input ${url}: the record on line ${line} ${err.problem}`, { cause: err });
    }
    if (isCsvError(err)) throw new BadInputError(url, `input ${url}: ${err.message}`, { cause: err });
    throw err;
  }
  return rows;
}
