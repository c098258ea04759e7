/**
 * The bytes of a whole input file as a stream of blocks, decompressed when its name says
 * it is compressed (`.gz` with node's zlib, `.zst` with fzstd): what the readers that
 * cannot start at a byte offset read (compressed files, CSV files).
 */
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type * as Fzstd from 'fzstd';
import { inputCodecOf } from '../../proto/formats/index.js';
import type { InputCodec } from '../../proto/formats/index.js';
import { storageFor } from '../../storage/index.js';
import { BadInputError } from './bad-input-error.js';
import { codecMismatch, NonTextInputError, nonTextReason, TEXT_CHECK_BYTES } from './text-input-check.js';

/** Bytes per read of an input file: large reads keep requests and syscalls rare. */
const READ_BLOCK_BYTES = 1024 * 1024;

/** What {@link wholeInputBytes} counts as it goes. */
export interface InputByteCount {
  /** Bytes of the file read so far (compressed bytes for a compressed file). */
  fileBytes: number;
}

/**
 * The file's bytes from its first to its last, through the storage seam, one new buffer
 * per block (consumers may keep a block: a CSV parser holds an unfinished field).
 */
async function* rawBlocks(url: string, count: InputByteCount): AsyncGenerator<Buffer> {
  const reader = await storageFor(url).openReader(url);
  try {
    for (let position = 0; ;) {
      const block = Buffer.allocUnsafe(READ_BLOCK_BYTES);
      const n = await reader.read(block, 0, block.length, position);
      if (n === 0) return;
      position += n;
      count.fileBytes = position;
      yield n === block.length ? block : block.subarray(0, n);
    }
  } finally {
    await reader.close();
  }
}

/** The corrupt-data refusal of a codec's error (zlib's Z_* codes, fzstd's errors). */
function corrupt(url: string, codec: InputCodec, err: unknown): BadInputError {
  const why = err instanceof Error ? err.message : String(err);
  return new BadInputError(url, `input ${url}: its ${codec} data is corrupt or cut short: ${why}`, { cause: err });
}

/** True for an error of zlib's decoder (not of the read beneath it, which may be worth a retry). */
function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

async function* gunzipped(url: string, raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const source = Readable.from(raw);
  const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
  // A read error of the source ends the decoder with it, so it is thrown below, as it is.
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  try {
    for await (const block of gunzip as AsyncIterable<Buffer>) yield block;
  } catch (err) {
    throw isZlibError(err) ? corrupt(url, 'gzip', err) : err;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

async function* unzstd(url: string, raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let out: Buffer[] = [];
  // Loaded by the first .zst input: every pool process would load it at start otherwise.
  const { Decompress } = require('fzstd') as typeof Fzstd;
  const decoder = new Decompress((data) => {
    out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  const push = (block: Uint8Array, final: boolean): Buffer[] => {
    try {
      decoder.push(block, final);
    } catch (err) {
      throw corrupt(url, 'zstd', err);
    }
    const ready = out;
    out = [];
    return ready;
  };
  for await (const block of raw) yield* push(block, false);
  yield* push(new Uint8Array(0), true);
}

/**
 * Holds back the first {@link TEXT_CHECK_BYTES} of decompressed data to check they are
 * text (as a plain input's are), then passes every block on.
 * @throws NonTextInputError naming the file when its data does not look like text.
 */
async function* checkedAsText(url: string, blocks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const head: Buffer[] = [];
  let held = 0;
  let checked = false;
  for await (const block of blocks) {
    if (checked) {
      yield block;
      continue;
    }
    head.push(block);
    held += block.length;
    if (held < TEXT_CHECK_BYTES) continue;
    checkHead(url, head);
    checked = true;
    yield* head;
  }
  if (!checked) {
    checkHead(url, head);
    yield* head;
  }
}

function checkHead(url: string, head: readonly Buffer[]): void {
  const why = nonTextReason(Buffer.concat(head).subarray(0, TEXT_CHECK_BYTES));
  if (why !== undefined) throw new NonTextInputError(url, `${inputCodecOf(url) ?? 'compressed'} data that is ${why}`);
}

/**
 * The bytes of the whole file `url`, block by block, decompressed when its name says so
 * (inputCodecOf); then its magic number must match the name, and the decompressed data
 * must look like text unless `binaryText`. A plain file's text check is the caller's.
 * @throws BadInputError naming the file when it is not what its name says, or its compressed data is corrupt.
 */
export async function* wholeInputBytes(
  url: string,
  binaryText: boolean,
  count: InputByteCount,
): AsyncGenerator<Buffer> {
  const codec = inputCodecOf(url);
  const raw = rawBlocks(url, count);
  if (codec === undefined) {
    yield* raw;
    return;
  }
  const first = await raw.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  const mismatch = codecMismatch(url, head);
  if (mismatch !== undefined) {
    await raw.return(undefined);
    throw new BadInputError(url, mismatch);
  }
  if (first.done) return;
  const all = (async function* (): AsyncGenerator<Buffer> {
    yield head;
    yield* raw;
  })();
  const data = codec === 'gzip' ? gunzipped(url, all) : unzstd(url, all);
  yield* binaryText ? data : checkedAsText(url, data);
}
