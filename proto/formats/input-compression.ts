/**
 * Which inputs Groove decompresses, told by their names: the master must know it without
 * reading a byte (a compressed file cannot be cut at a byte offset, so it gets one map
 * task), and every map task must agree with it, so the name decides, and the task checks
 * the file's magic number matches.
 */

/** A codec Groove decompresses inputs with: gzip (node's zlib) and zstd (fzstd, pure JS). */
export type InputCodec = 'gzip' | 'zstd';

/** Name endings of compressed inputs, lowercase, and their codecs. */
const CODEC_SUFFIXES: readonly (readonly [string, InputCodec])[] = [
  ['.gz', 'gzip'],
  ['.gzip', 'gzip'],
  ['.zst', 'zstd'],
  ['.zstd', 'zstd'],
];

/** The magic number every stream of a codec starts with. */
export const CODEC_MAGIC: Readonly<Record<InputCodec, readonly number[]>> = {
  gzip: [0x1f, 0x8b],
  zstd: [0x28, 0xb5, 0x2f, 0xfd],
};

/**
 * The codec an input is compressed with, by its name (`.gz`, `.zst`, case ignored; for a
 * URL, the end of its path, not its query), or undefined for an input read as it is.
 */
export function inputCodecOf(input: string): InputCodec | undefined {
  let name = input;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    try {
      name = new URL(input).pathname;
    } catch {
      // Not a URL after all: its name as given.
    }
  }
  const lower = name.toLowerCase();
  for (const [suffix, codec] of CODEC_SUFFIXES) if (lower.endsWith(suffix)) return codec;
  return undefined;
}
