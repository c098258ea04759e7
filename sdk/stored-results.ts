import * as fs from 'node:fs';
import type { Key } from '../common/index.js';
import { UserError } from '../common/index.js';
import { formatRecord, isResultFormat, partFileName } from '../proto/formats/index.js';
import type { ResultFormat } from '../proto/formats/index.js';
import type { ResultLocations__Output } from '../proto/wire/generated/groove/ResultLocations';
import { storageFor } from '../storage/index.js';
import { OutputDir } from './output-dir.js';

/** Bytes per chunk read from a store. */
const STORE_READ_BYTES = 4 * 1024 * 1024;

const NEWLINE = 0x0a;

/** A job's results as committed to its output store (see master/output-committer.ts). */
export interface StoredResults {
  /** The prefix, ending in `/`. */
  readonly url: string;
  /** The stored lines' format. */
  readonly format: ResultFormat;
  readonly partitions: number;
}

/** The stored results a master's answer names, if the job has an output store. */
export function storedResultsOf(locations: ResultLocations__Output): StoredResults | undefined {
  if (!locations.outputUrl) return undefined;
  const format = locations.outputFormat || 'text';
  if (!isResultFormat(format))
    throw new UserError(`the master names an unknown output format ${JSON.stringify(format)}`);
  return { url: locations.outputUrl, format, partitions: locations.partitions };
}

/** `PREFIX/part-NNNNN` of partition `p`. */
export function storedPartUrl(stored: StoredResults, p: number): string {
  return `${stored.url}${partFileName(p)}`;
}

/**
 * The bytes of one stored part, in chunks, read from the store with this process's own
 * credentials and environment.
 * @throws UserError naming the URL when it cannot be read.
 */
export async function* readStoredPart(stored: StoredResults, p: number): AsyncGenerator<Buffer> {
  const url = storedPartUrl(stored, p);
  const storage = storageFor(url);
  try {
    const { size } = await storage.stat(url);
    for await (const chunk of storage.openRange(url, 0, size, STORE_READ_BYTES)) yield chunk as Buffer;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'it is not there (removed, or replaced by a later job?)' : (err as Error).message;
    throw new UserError(`cannot read partition ${p} of the job's output at ${url}: ${why}`, { cause: err });
  }
}

/**
 * Complete lines of a stream of chunks, one string each (without the newline); a last line
 * without a newline counts too.
 */
async function* linesOf(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
      yield buf.toString('utf8', start, nl);
      start = nl + 1;
    }
    rest = Buffer.from(buf.subarray(start));
  }
  if (rest.length) yield rest.toString('utf8');
}

/** One jsonl line as its record. */
function parseRecord(line: string, url: string): [Key, unknown] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new UserError(`${url}: a line is not JSON (${(err as Error).message})`, { cause: err });
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new UserError(`${url}: a line is not a [key, value] array`);
  return parsed as [Key, unknown];
}

/**
 * The records of a job's stored output, partition by partition. Only jsonl keeps a record's
 * structure: a text output cannot be read back as records (the tab is ambiguous).
 */
export async function* storedRecords(stored: StoredResults): AsyncGenerator<[Key, unknown]> {
  if (stored.format !== 'jsonl')
    throw new UserError(
      `the job's output at ${stored.url} is stored as text and its workers' copies are gone: records can be read back only from a jsonl output (submit with --format jsonl)`,
    );
  for (let p = 0; p < stored.partitions; p++) {
    const url = storedPartUrl(stored, p);
    for await (const line of linesOf(readStoredPart(stored, p))) yield parseRecord(line, url);
  }
}

/**
 * One stored part as lines in `format`: as they are when the formats agree, converted
 * from jsonl to text otherwise (the same lines as the job's text output, except that a
 * bigint value stored in jsonl as its digits in a string prints without quotes).
 * @throws UserError for text stored and jsonl asked: text does not say where a key ends.
 */
export async function* storedLines(stored: StoredResults, p: number, format: ResultFormat): AsyncGenerator<Buffer> {
  if (format === stored.format) {
    yield* readStoredPart(stored, p);
    return;
  }
  if (stored.format === 'text')
    throw new UserError(
      `--format jsonl: the job's output at ${stored.url} is stored as text, which cannot be turned into jsonl; ask for text, or submit with --format jsonl`,
    );
  const url = storedPartUrl(stored, p);
  let batch: string[] = [];
  for await (const line of linesOf(readStoredPart(stored, p))) {
    const [key, value] = parseRecord(line, url);
    batch.push(formatRecord(key, value, 'text'));
    if (batch.length >= 4096) {
      yield Buffer.from(`${batch.join('\n')}\n`);
      batch = [];
    }
  }
  if (batch.length) yield Buffer.from(`${batch.join('\n')}\n`);
}

/**
 * Prints a job's stored results (see {@link storedLines}) to `print`, or writes them into
 * `outputDir` as part files and _SUCCESS (see {@link OutputDir}).
 */
export async function writeStoredResults(
  stored: StoredResults,
  format: ResultFormat,
  print: (lines: Buffer) => Promise<void>,
  options: { outputDir?: string; overwrite?: boolean },
): Promise<void> {
  if (format !== stored.format && stored.format === 'text') {
    // Refused before anything is printed or written.
    await storedLines(stored, 0, format).next();
  }
  if (!options.outputDir) {
    for (let p = 0; p < stored.partitions; p++)
      for await (const lines of storedLines(stored, p, format)) await print(lines);
    return;
  }
  const out = OutputDir.open(options.outputDir, options.overwrite === true);
  try {
    for (let p = 0; p < stored.partitions; p++) {
      const handle = await fs.promises.open(out.partPath(p), 'w');
      try {
        for await (const lines of storedLines(stored, p, format)) await handle.writeFile(lines);
      } finally {
        await handle.close();
      }
    }
  } catch (err) {
    out.abort();
    throw err;
  }
  out.commit();
}
