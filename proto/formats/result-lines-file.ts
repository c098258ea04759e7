import * as fs from 'node:fs';
import type { ResultFormat } from './result-line.js';
import { ResultTextEncoder } from './result-text-encoder.js';

/** The result formats, as a submission names them. */
const RESULT_FORMATS: readonly string[] = ['text', 'jsonl'] satisfies readonly ResultFormat[];

/** Whether `name` is a result format (`text` or `jsonl`). */
export function isResultFormat(name: string): name is ResultFormat {
  return RESULT_FORMATS.includes(name);
}

/**
 * Writes the result lines of a part file while the part file is written: fed the part
 * file's record bytes as they go to disk (RecordFileWriter's `onBytes`), it converts them
 * with the same {@link ResultTextEncoder} a client uses on a finished part file, so the
 * two give the same bytes by construction, in one pass over the records. A reducer of a
 * job with an output store writes the object it uploads so.
 */
export class ResultLinesWriter {
  private fd: number | undefined;
  private readonly encoder: ResultTextEncoder;
  private written = 0;

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

  /** Bytes of lines written so far. */
  get bytes(): number {
    return this.written;
  }

  /** Records converted so far. */
  get records(): number {
    return this.encoder.records;
  }

  /** Converts the next bytes of the part file (any cut: a record may straddle calls) and writes their lines. */
  push(bytes: Buffer): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error(`${this.path}: write after close`);
    const lines = this.encoder.push(bytes);
    for (let offset = 0; offset < lines.length;) offset += fs.writeSync(fd, lines, offset, lines.length - offset);
    this.written += lines.length;
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
