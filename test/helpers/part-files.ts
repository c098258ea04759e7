import * as fs from 'node:fs';
import * as path from 'node:path';

/** The part files (`part-NNNNN`) of a results directory, as paths, in partition order; `_SUCCESS` and the rest left out. */
export function partFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** The text of each part file of a results directory, in partition order. */
export function partTexts(dir: string): string[] {
  return partFiles(dir).map((f) => fs.readFileSync(f, 'utf8'));
}
