import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResultFormat } from './result-line.js';
import { ResultTextEncoder } from './result-text-encoder.js';

/** The result formats, as a submission names them. */
const RESULT_FORMATS: readonly string[] = ['text', 'jsonl'] satisfies readonly ResultFormat[];

/** Whether `name` is a result format (`text` or `jsonl`). */
export function isResultFormat(name: string): name is ResultFormat {
  return RESULT_FORMATS.includes(name);
}

/**
 * Where a reduce attempt asked for result lines writes them: `part.text` or `part.jsonl`
 * in the directory of its part file (a path relative to the worker's data dir, or an
 * absolute one, giving the same kind of path).
 */
export function resultLinesPath(partPath: string, format: ResultFormat): string {
  return path.join(path.dirname(partPath), `part.${format}`);
}

/**
 * Writes the result lines of a part file while the part file is written: fed the part
 * file's bytes as they go to disk (see RecordFileWriter's `onBytes`), it converts them
 * with the same {@link ResultTextEncoder} a client uses on a finished part file, so the
 * two give the same bytes by construction. A reducer that writes them saves a client on
 * its host reading the part file back and converting it after the job.
 */
export class ResultLinesWriter {
  private fd: number | undefined;
  private readonly encoder: ResultTextEncoder;

  private constructor(
    private readonly path: string,
    fd: number,
    format: ResultFormat,
  ) {
    this.fd = fd;
    this.encoder = new ResultTextEncoder(format);
  }

  /** Creates (or truncates) the file at `path`. */
  static create(path: string, format: ResultFormat): ResultLinesWriter {
    return new ResultLinesWriter(path, fs.openSync(path, 'w'), format);
  }

  /** Converts the next bytes of the part file (any cut: a record may straddle calls) and writes their lines. */
  push(bytes: Buffer): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error(`${this.path}: write after close`);
    const lines = this.encoder.push(bytes);
    for (let offset = 0; offset < lines.length; ) offset += fs.writeSync(fd, lines, offset, lines.length - offset);
  }

  /** Closes the file; safe to call twice. Does not check that the part file ended on a record boundary: see {@link end}. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  /** Closes the file; throws if the bytes pushed ended inside a record. */
  end(): void {
    this.close();
    this.encoder.end();
  }
}
