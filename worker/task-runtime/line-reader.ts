/**
 * Reads the text records (lines) of one input split. The master cuts files at arbitrary
 * byte offsets, so this is where a record that straddles a cut is given to exactly one
 * map task.
 */
import { isUtf8 } from 'node:buffer';
import { storageFor } from '../../storage/index.js';
import type { RangeReader } from '../../storage/index.js';

/** Block size of the read buffer: large reads keep syscalls rare, 1 MiB keeps memory small. */
export const DEFAULT_LINE_READ_BLOCK_SIZE = 1024 * 1024;

/**
 * Read block for a split of `length` bytes: the split, the byte before it and a margin for
 * the end of its last line, but never more than the default. A tiny split then costs a
 * few KiB, not a megabyte; a longer last line only grows the buffer.
 */
export function lineReadBlockSize(length: number): number {
  return Math.min(DEFAULT_LINE_READ_BLOCK_SIZE, length + 1 + LINE_READ_MARGIN_BYTES);
}

const LINE_READ_MARGIN_BYTES = 4 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** What {@link readLines} did for one split. */
export interface LineReadResult {
  /** Number of records (lines) passed to `onLine`. */
  readonly records: number;
  /**
   * Bytes of the file that the emitted records span, line ends included. Each byte of a
   * file belongs to exactly one record, so this sums to the file size over all splits of
   * a file; that is what makes it a useful progress counter (bytes read ahead or skipped
   * are not counted).
   */
  readonly bytesRead: number;
  /** Characters of the records that were invalid UTF-8 and read as U+FFFD (0 for valid text). */
  readonly replacedChars: number;
}

/** U+FFFD as UTF-8: a replacement character that was in the file, not made by decoding. */
const REPLACEMENT_BYTES = Buffer.from([0xef, 0xbf, 0xbd]);

/**
 * How many characters decoding `bytes` as UTF-8 replaces with U+FFFD. Checking validity
 * is one native pass over a whole block of lines; only an invalid block is decoded again
 * to count. `bytes` must start and end on character boundaries (after a '\n' or at an end
 * of the file), as whole lines do, so no character is split between two checks.
 */
export function replacedChars(bytes: Buffer): number {
  if (isUtf8(bytes)) return 0;
  const text = bytes.toString('utf8');
  let n = 0;
  for (let i = text.indexOf('\ufffd'); i !== -1; i = text.indexOf('\ufffd', i + 1)) n++;
  for (let i = bytes.indexOf(REPLACEMENT_BYTES); i !== -1; i = bytes.indexOf(REPLACEMENT_BYTES, i + 3)) n--;
  return n;
}

/**
 * Calls onLine for every line that belongs to the chunk [start, start+length) of the file.
 * A chunk owns exactly the lines whose first byte lies inside it: if `start > 0`, the line
 * that contains byte `start - 1` belongs to the previous chunk and is skipped, and the last
 * owned line is read to its end even when that lies past the chunk. Together the chunks of
 * a file therefore see every line exactly once, wherever the cuts are.
 *
 * Lines end at `\n`; a `\r` before it (CRLF) is dropped. A final `\n` does not start an
 * empty last record, a last line without `\n` is still a record, blank lines are records
 * (empty strings), and a chunk of length 0 owns no lines. Lines are decoded as UTF-8;
 * invalid sequences become U+FFFD and are counted ({@link LineReadResult.replacedChars}).
 *
 * The file is read through the storage seam (any scheme with a backend), block by block
 * into one reusable buffer of `blockSize` bytes, so a task holds one block in memory, not
 * the file; the buffer grows only to hold a line longer than itself. The lines of a block
 * are handed out synchronously: the only wait is one read per block.
 *
 * @param url - The file to read: a path or a URL.
 * @param start - Offset of the chunk's first byte, a non-negative integer.
 * @param length - Length of the chunk in bytes, a non-negative integer; Infinity reads to the
 *   end of the file (the one split of an input whose size is unknown, an HTTP answer without
 *   Content-Length).
 * @param onLine - Called once per owned line, in file order, without its line end.
 * @param blockSize - Bytes per read, a positive integer. Default
 *   {@link DEFAULT_LINE_READ_BLOCK_SIZE} (1 MiB).
 * @param head - A check of the file's first bytes, made before the first line is handed
 *   out; only for a chunk at `start` 0 whose block holds that many bytes (or the whole file).
 * @throws RangeError if an argument is out of range; the backend's errors (ENOENT, EISDIR,
 *   ...) from opening or reading the file propagate unchanged, as do errors thrown by
 *   `onLine` (all as rejections).
 */
export async function readLines(
  url: string,
  start: number,
  length: number,
  onLine: (line: string) => void,
  blockSize: number = DEFAULT_LINE_READ_BLOCK_SIZE,
  head?: HeadCheck,
): Promise<LineReadResult> {
  checkReadArguments(start, length, blockSize, head);
  const end = start + length;
  const reader = await storageFor(url).openReader(url);
  try {
    let buf: Buffer = Buffer.allocUnsafe(blockSize);
    // buf.indexOf cannot be bounded, so it searches this view of the valid bytes; the view
    // is renewed once per read, not per line.
    let view: Buffer = buf.subarray(0, 0);
    // Reading from start - 1 lets the skip below see whether the chunk begins right after
    // a '\n', in which case the line at `start` is this chunk's.
    let bufOffset = start > 0 ? start - 1 : 0; // file offset of buf[0]
    let lineBegin = 0; // index in view of the first byte of the current line
    let scanFrom = 0; // index in view where the search for '\n' resumes
    let skipping = start > 0;
    let eof = false;
    let records = 0;
    let ownedFrom = bufOffset;
    let ownedTo = bufOffset;
    // Index in view of the first byte of the records passed on but not yet checked for
    // invalid UTF-8 (-1: none); they are checked a buffer at a time, not per line.
    let checkFrom = -1;
    let replaced = 0;

    for (;;) {
      if (!skipping && bufOffset + lineBegin >= end) {
        if (checkFrom >= 0) replaced += replacedChars(view.subarray(checkFrom, lineBegin));
        break;
      }
      const nl = view.indexOf(LF, scanFrom);
      if (nl !== -1) {
        if (skipping) {
          skipping = false;
          ownedFrom = bufOffset + nl + 1;
        } else {
          const lineEnd = nl > lineBegin && view[nl - 1] === CR ? nl - 1 : nl;
          if (checkFrom < 0) checkFrom = lineBegin;
          onLine(view.toString('utf8', lineBegin, lineEnd));
          records++;
          ownedTo = bufOffset + nl + 1;
        }
        lineBegin = scanFrom = nl + 1;
        continue;
      }
      if (eof) {
        if (!skipping && lineBegin < view.length) {
          const last = view.length - 1;
          const lineEnd = view[last] === CR ? last : view.length;
          if (checkFrom < 0) checkFrom = lineBegin;
          onLine(view.toString('utf8', lineBegin, lineEnd));
          records++;
          ownedTo = bufOffset + view.length;
        }
        if (checkFrom >= 0) replaced += replacedChars(view.subarray(checkFrom));
        break;
      }
      // No '\n' in the buffer: keep the unfinished line (nothing of a skipped one), move it
      // to the front and fill the rest; grow only if the line already fills the buffer.
      if (skipping) lineBegin = view.length;
      if (checkFrom >= 0) {
        replaced += replacedChars(view.subarray(checkFrom, lineBegin));
        checkFrom = -1;
      }
      const kept = view.length - lineBegin;
      if (lineBegin > 0) {
        buf.copyWithin(0, lineBegin, view.length);
        bufOffset += lineBegin;
        lineBegin = 0;
      } else if (kept === buf.length) {
        buf = grown(buf, buf.length * 2);
      }
      const n = await reader.read(buf, kept, buf.length - kept, bufOffset + kept);
      if (n === 0) eof = true;
      view = buf.subarray(0, kept + n);
      scanFrom = kept;
      // Once, after the first read, before any line went: checkHead gives no head back.
      if (head !== undefined) ({ buf, view, eof, head } = await checkHead(reader, buf, view, eof, head));
    }
    return { records, bytesRead: records > 0 ? ownedTo - ownedFrom : 0, replacedChars: replaced };
  } finally {
    await reader.close();
  }
}

/**
 * A look at a whole file's first bytes, made by {@link readLines} from its own first reads
 * before it hands out any line: a packed split's small files then cost one open each, not
 * one for the look (text-input-check.ts) and one for the lines.
 */
export interface HeadCheck {
  /** How many of the file's first bytes `check` wants (fewer when the file is shorter). */
  readonly bytes: number;
  /** Called once with them; what it throws rejects the read. */
  check(head: Buffer): void;
}

/**
 * Makes `head`'s check on the bytes of a first read at the file's start (`view`, in
 * `buf`), read on up to what the check wants (a backend may answer in pieces) or to the
 * end of the file. A block smaller than that (a small chunk of a larger file) grows once;
 * a whole small file ends before. Returns the buffer and its valid bytes now.
 */
async function checkHead(
  reader: RangeReader,
  buf: Buffer,
  view: Buffer,
  eof: boolean,
  head: HeadCheck,
): Promise<{ buf: Buffer; view: Buffer; eof: boolean; head: undefined }> {
  let got = view.length;
  while (!eof && got < head.bytes) {
    if (got === buf.length) buf = grown(buf, head.bytes);
    const m = await reader.read(buf, got, buf.length - got, got);
    if (m === 0) eof = true;
    got += m;
  }
  head.check(buf.subarray(0, Math.min(got, head.bytes)));
  return { buf, view: buf.subarray(0, got), eof, head: undefined };
}

/** A buffer of `size` bytes holding `buf`'s bytes at its start. */
function grown(buf: Buffer, size: number): Buffer {
  const bigger = Buffer.allocUnsafe(size);
  buf.copy(bigger, 0, 0, buf.length);
  return bigger;
}

/** The checks of {@link readLines}'s numbers, before anything is opened. */
function checkReadArguments(start: number, length: number, blockSize: number, head?: HeadCheck): void {
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new RangeError(`start must be a non-negative integer byte offset, got ${String(start)}`);
  }
  if (!(Number.isSafeInteger(length) || length === Infinity) || length < 0) {
    throw new RangeError(`length must be a non-negative integer number of bytes or Infinity, got ${String(length)}`);
  }
  if (!Number.isSafeInteger(blockSize) || blockSize <= 0) {
    throw new RangeError(`blockSize must be a positive integer number of bytes, got ${String(blockSize)}`);
  }
  if (head !== undefined && start !== 0) throw new RangeError(`a head check needs start 0, got ${start}`);
}
