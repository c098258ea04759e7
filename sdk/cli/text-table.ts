import { oneLine } from '../../common/index.js';

/** Spaces between two columns of a {@link textTable}. */
const COLUMN_GAP = 2;

/**
 * Rows as an aligned table under a header, each column as wide as its widest cell, the way
 * `kubectl get` and `docker ps` print: easy to read and still easy to cut with awk. Cells
 * come from users (job names, errors): each is made one line, its control characters and
 * tabs shown escaped or as spaces, so no cell can break the alignment or the terminal. The
 * last column is not padded (no trailing blanks).
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => header.map((_, i) => cellText(row[i] ?? '')));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => displayWidth(row[i] as string))));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] as number) - displayWidth(cell))))
        .join(' '.repeat(COLUMN_GAP))
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function cellText(text: string): string {
  return oneLine(text).replace(/\t/g, ' ') || '-';
}

/** Columns a cell takes: one per code point (wide CJK characters are rare in ids and states). */
function displayWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
