import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { GrooveError } from '../../common/index.js';
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

/** Bytes of result lines per checksum. */
const LINES_BLOCK_BYTES = 1024 * 1024;

/** The format tag of a checksum file of result lines. */
const LINES_SUM_FORMAT = 'groove-lines-sum/1';

/**
 * Where the checksums of a file of result lines are: next to it, `part.text.sum`. Result
 * lines are plain text (they are moved into a user's output directory as they are), so
 * their checksums cannot be inside them: the JSON `{ format, bytes, blockBytes, crcs }`
 * holds the file's length and the CRC32 of every block of blockBytes.
 */
export function resultLinesSumPath(linesPath: string): string {
  return `${linesPath}.sum`;
}

/** A file of result lines is short, longer, corrupt, or has no (valid) checksum file. */
export class ResultLinesError extends GrooveError {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}

/**
 * Verifies a file of result lines against its checksum file (length and every block),
 * reading it whole: a caller that copies or moves the file checks it first.
 * @throws {@link ResultLinesError} naming what is wrong.
 */
export function verifyResultLines(file: string): void {
  let sum: { format?: unknown; bytes?: unknown; blockBytes?: unknown; crcs?: unknown };
  try {
    sum = JSON.parse(fs.readFileSync(resultLinesSumPath(file), 'utf8')) as typeof sum;
  } catch (err) {
    throw new ResultLinesError(file, `no valid checksum file (${(err as Error).message})`, { cause: err });
  }
  const { bytes, blockBytes, crcs } = sum;
  if (
    sum.format !== LINES_SUM_FORMAT ||
    !Number.isSafeInteger(bytes) ||
    !Number.isSafeInteger(blockBytes) ||
    (blockBytes as number) < 1 ||
    !Array.isArray(crcs)
  ) {
    throw new ResultLinesError(file, `its checksum file is not in format ${LINES_SUM_FORMAT}`);
  }
  const size = fs.statSync(file).size;
  if (size !== bytes)
    throw new ResultLinesError(file, `the file has ${size} bytes, its checksums say ${String(bytes)} (truncated?)`);
  if (crcs.length !== Math.ceil(size / (blockBytes as number)))
    throw new ResultLinesError(file, `its checksum file has ${crcs.length} blocks for ${size} bytes`);
  const block = Buffer.allocUnsafe(blockBytes as number);
  const fd = fs.openSync(file, 'r');
  try {
    for (let i = 0, offset = 0; offset < size; i++) {
      let got = 0;
      while (got < block.length && offset + got < size) {
        const n = fs.readSync(fd, block, got, block.length - got, offset + got);
        if (n === 0) throw new ResultLinesError(file, `the file ends at ${offset + got}`);
        got += n;
      }
      if (zlib.crc32(block.subarray(0, got)) !== crcs[i])
        throw new ResultLinesError(file, `checksum mismatch in the block at offset ${offset}`);
      offset += got;
    }
  } finally {
    fs.closeSync(fd);
  }
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
  /** CRC32 of every full block written, then of the block being written. */
  private readonly crcs: number[] = [];
  private crc = 0;
  private inBlock = 0;
  private bytes = 0;

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
    this.checksum(lines);
    for (let offset = 0; offset < lines.length;) offset += fs.writeSync(fd, lines, offset, lines.length - offset);
  }

  private checksum(lines: Buffer): void {
    for (let offset = 0; offset < lines.length;) {
      const n = Math.min(lines.length - offset, LINES_BLOCK_BYTES - this.inBlock);
      this.crc = zlib.crc32(lines.subarray(offset, offset + n), this.crc);
      this.inBlock += n;
      offset += n;
      if (this.inBlock === LINES_BLOCK_BYTES) {
        this.crcs.push(this.crc);
        this.crc = 0;
        this.inBlock = 0;
      }
    }
    this.bytes += lines.length;
  }

  /** Closes the file; safe to call twice. Does not check that the part file ended on a record boundary: see {@link end}. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  /** Closes the file and writes its checksum file; throws if the bytes pushed ended inside a record. */
  end(): void {
    this.close();
    this.encoder.end();
    const crcs = this.inBlock > 0 ? [...this.crcs, this.crc] : this.crcs;
    fs.writeFileSync(
      resultLinesSumPath(this.path),
      JSON.stringify({ format: LINES_SUM_FORMAT, bytes: this.bytes, blockBytes: LINES_BLOCK_BYTES, crcs }),
    );
  }
}
