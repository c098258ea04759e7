import { GrooveError } from '../../common/index.js';
import { storageFor } from '../../storage/index.js';

/**
 * Bytes of an input's start that are looked at for NUL bytes: text never has them, and
 * binary formats (images, executables, UTF-16, record files) have them early. One read
 * of this size per map task is nothing next to the chunk it reads.
 */
export const TEXT_CHECK_BYTES = 64 * 1024;

/** Magic numbers of compressed and archive formats that are bytes, not text, until decompressed. */
const MAGIC: readonly { readonly bytes: readonly number[]; readonly what: string }[] = [
  { bytes: [0x1f, 0x8b], what: 'gzip-compressed' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive' },
  { bytes: [0x50, 0x4b, 0x05, 0x06], what: 'a zip archive' },
];

/**
 * An input that is not text (compressed, an archive, binary): the same bytes fail the
 * same way on any worker and any attempt, so the job fails at once instead of retrying.
 */
export class NonTextInputError extends GrooveError {
  /** The job may not retry: the input itself is the problem. */
  readonly permanent = true;

  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(
      `input ${path} is ${what}, not text: decompress or convert it first (or set binaryText: true in the job to read it as text anyway)`,
    );
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
