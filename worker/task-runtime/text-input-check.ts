import { storageFor } from '../../storage/index.js';
import { inputCodecOf } from '../../proto/formats/index.js';
import { BadInputError } from './bad-input-error.js';
import type { HeadCheck } from './line-reader.js';

/**
 * Bytes of an input's start that are looked at for NUL bytes: text never has them, and
 * binary formats (images, executables, UTF-16, record files) have them early. One read
 * of this size per map task is nothing next to the chunk it reads.
 */
export const TEXT_CHECK_BYTES = 64 * 1024;

/**
 * Magic numbers of compressed and archive formats that are bytes, not text, until
 * decompressed. Groove decompresses gzip and zstd inputs named so (`.gz`, `.zst`); the
 * others it names and refuses.
 */
const MAGIC: readonly { readonly bytes: readonly number[]; readonly what: string }[] = [
  { bytes: [0x1f, 0x8b], what: 'gzip-compressed' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive' },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: 'a zip archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7z archive' },
  { bytes: [0x04, 0x22, 0x4d, 0x18], what: 'lz4-compressed' },
  { bytes: [0x4c, 0x5a, 0x49, 0x50], what: 'lzip-compressed' },
  { bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], what: 'a rar archive' },
  { bytes: [0x1f, 0x9d], what: 'compress-compressed (.Z)' },
];

/** The one-line refusal of an input that is `what` (see {@link nonTextReason}), here and in the client's peek. */
export function nonTextMessage(path: string, what: string): string {
  const hint =
    what === 'gzip-compressed' || what === 'zstd-compressed'
      ? `name it with a ${what === 'gzip-compressed' ? '.gz' : '.zst'} ending to have it decompressed`
      : 'decompress or convert it first';
  return `input ${path} is ${what}, not text: ${hint} (or set binaryText: true in the job to read it as text anyway)`;
}

/**
 * An input that is not text (compressed, an archive, binary): the same bytes fail the
 * same way on any worker and any attempt, so the job fails at once instead of retrying.
 */
export class NonTextInputError extends BadInputError {
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(path, nonTextMessage(path, what));
  }
}

/**
 * What makes `head` (the first bytes of a file) not text, or undefined if it may be text:
 * a compression or archive magic number at its start, or a NUL byte in it.
 */
export function nonTextReason(head: Buffer): string | undefined {
  for (const { bytes, what } of MAGIC) {
    if (head.length >= bytes.length && bytes.every((b, i) => head[i] === b)) return what;
  }
  // bzip2: "BZh" and a block size digit.
  if (
    head.length >= 4 &&
    head[0] === 0x42 &&
    head[1] === 0x5a &&
    head[2] === 0x68 &&
    (head[3] as number) >= 0x31 &&
    (head[3] as number) <= 0x39
  ) {
    return 'bzip2-compressed';
  }
  const nul = head.indexOf(0);
  return nul === -1 ? undefined : `binary (a NUL byte at offset ${nul})`;
}

/**
 * The first `bytes` bytes of a file or URL (fewer when it is shorter), read through the
 * storage seam: what {@link nonTextReason} looks at, here and in the client's peek.
 */
export async function readHead(url: string, bytes: number = TEXT_CHECK_BYTES): Promise<Buffer> {
  const head = Buffer.allocUnsafe(bytes);
  const reader = await storageFor(url).openReader(url);
  let n = 0;
  try {
    // One read most often; a backend may answer a range in pieces.
    for (let got = -1; got !== 0 && n < bytes; n += got) got = await reader.read(head, n, bytes - n, n);
  } finally {
    await reader.close();
  }
  return head.subarray(0, n);
}

/**
 * Refuses a file whose first {@link TEXT_CHECK_BYTES} are not text (see {@link nonTextReason}).
 * @throws NonTextInputError naming the file and what it looks like.
 */
export async function checkTextInput(url: string): Promise<void> {
  const why = nonTextReason(await readHead(url));
  if (why !== undefined) throw new NonTextInputError(url, why);
}

/**
 * {@link checkTextInput} as a {@link HeadCheck} for the line reader, which looks at the
 * bytes it reads anyway instead of opening the file once more.
 */
export function textHeadCheck(url: string): HeadCheck {
  return {
    bytes: TEXT_CHECK_BYTES,
    check(head: Buffer): void {
      const why = nonTextReason(head);
      if (why !== undefined) throw new NonTextInputError(url, why);
    },
  };
}

/**
 * Why a file named as compressed (`.gz`, `.zst`: see inputCodecOf) cannot be decompressed
 * as its name says, judging by its first bytes, or undefined when they are the codec's
 * magic number (or the file is empty: no data, no records).
 */
export function codecMismatch(url: string, head: Buffer): string | undefined {
  const codec = inputCodecOf(url);
  if (codec === undefined || head.length === 0) return undefined;
  const expected = codec === 'gzip' ? 'gzip-compressed' : 'zstd-compressed';
  const actual = nonTextReason(head);
  if (actual === expected) return undefined;
  const what = actual === undefined ? 'text' : actual;
  return `input ${url} is named as ${expected} but is ${what}: rename it, or compress it as its name says`;
}
