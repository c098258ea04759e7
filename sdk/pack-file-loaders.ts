import type { Loader, Metafile } from 'esbuild';

/**
 * How a job file's imports of data files are bundled into its pack (docs/pack-files.md):
 * these endings as text (the import is the file's contents, a string) or as bytes (a
 * `Uint8Array`); `.json` is esbuild's own (the parsed value). Any other file can be
 * imported with an import attribute, `with { type: 'text' }` or `with { type: 'bytes' }`.
 * The data then travels inside the pack, so every task reads it without a shared disk and
 * the pack's size limit covers it.
 */
export const PACK_FILE_LOADERS: Readonly<Record<string, Loader>> = {
  '.txt': 'text',
  '.text': 'text',
  '.csv': 'text',
  '.tsv': 'text',
  '.md': 'text',
  '.html': 'text',
  '.xml': 'text',
  '.sql': 'text',
  '.bin': 'binary',
  '.dat': 'binary',
};

/** How many of the largest bundled files an oversized pack's error names. */
const LARGEST_NAMED = 3;

/** `n` bytes as MiB with one decimal, for messages. */
function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Why a pack of `bytes` bytes is refused (over `limit`), naming the largest files bundled
 * into it, so the user sees which data file or dependency to leave out.
 */
export function packTooLargeMessage(bytes: number, limit: number, metafile: Metafile | undefined): string {
  const inputs = Object.entries(metafile?.inputs ?? {})
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, LARGEST_NAMED)
    .map(([file, info]) => `${file} (${mib(info.bytes)})`);
  const largest = inputs.length ? `; the largest files in it: ${inputs.join(', ')}` : '';
  return `its pack is ${mib(bytes)}, over the limit of ${mib(limit)}${largest}`;
}

/**
 * A compile error's text, with what to do when it is a data file esbuild has no loader for
 * (an ending not in {@link PACK_FILE_LOADERS}).
 */
export function explainBundleError(text: string): string {
  return /^No loader is configured for /.test(text)
    ? `${text} (import it with { type: 'text' } or { type: 'bytes' })`
    : text;
}
