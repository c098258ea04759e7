import * as fs from 'node:fs';
import * as path from 'node:path';
import { Prng } from '../prng.js';
import { cachedDataset } from './dataset-cache.js';
import type { Dataset } from './dataset-cache.js';
import { ZipfVocabulary } from './zipf-vocabulary.js';

/** How the many-small-files data set is made. */
export interface TinyFilesRecipe {
  readonly files: number;
  readonly seed: number;
}

/** `files` files of one to three short lines each: per-task overhead is all there is to measure. */
export function tinyFiles(dir: string, recipe: TinyFilesRecipe): Dataset {
  return cachedDataset(dir, { kind: 'tiny-files', ...recipe }, (out) => {
    const vocab = new ZipfVocabulary(1000, 1, recipe.seed);
    const rng = new Prng(recipe.seed);
    const names: string[] = [];
    for (let f = 0; f < recipe.files; f++) {
      const lines: string[] = [];
      for (let l = 1 + rng.below(3); l > 0; l--) {
        const words: string[] = [];
        for (let i = 2 + rng.below(8); i > 0; i--)
          words.push((vocab.words[vocab.rank(rng.next())] as Buffer).toString());
        lines.push(words.join(' '));
      }
      const name = `tiny-${String(f).padStart(5, '0')}.txt`;
      fs.writeFileSync(path.join(out, name), lines.join('\n') + '\n');
      names.push(name);
    }
    return names;
  });
}
