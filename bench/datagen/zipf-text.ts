import * as path from 'node:path';
import { Prng } from '../prng.js';
import { BufferedFileWriter } from './buffered-file-writer.js';
import { cachedDataset } from './dataset-cache.js';
import type { Dataset } from './dataset-cache.js';
import { ZipfVocabulary } from './zipf-vocabulary.js';

/** How a Zipf text data set is made; the same recipe always gives the same bytes. */
export interface ZipfTextRecipe {
  readonly totalBytes: number;
  readonly files: number;
  readonly seed: number;
  /** Distinct words. Default 100,000. */
  readonly vocabulary?: number;
  /** Zipf exponent. Default 1.0 (natural language). */
  readonly exponent?: number;
}

const SPACE = 0x20;
const LF = 0x0a;

/**
 * Lines of 4 to 19 words separated by single spaces. Single spaces keep every baseline
 * honest: the Python pool's `line.split(" ")` then finds the same words as the job's
 * whitespace split and as `tr -s '[:space:]'`.
 */
export function zipfText(dir: string, recipe: ZipfTextRecipe): Dataset {
  return cachedDataset(dir, { kind: 'zipf-text', ...recipe }, (out) => {
    const vocab = new ZipfVocabulary(recipe.vocabulary ?? 100_000, recipe.exponent ?? 1, recipe.seed);
    const rng = new Prng(recipe.seed ^ 0x5bd1e995);
    const perFile = Math.ceil(recipe.totalBytes / recipe.files);
    const names: string[] = [];
    for (let f = 0; f < recipe.files; f++) {
      const name = `text-${String(f).padStart(3, '0')}.txt`;
      const w = new BufferedFileWriter(path.join(out, name));
      while (w.size < perFile) {
        const words = 4 + rng.below(16);
        for (let i = 0; i < words; i++) {
          if (i) w.writeByte(SPACE);
          w.write(vocab.words[vocab.rank(rng.next())] as Buffer);
        }
        w.writeByte(LF);
      }
      w.close();
      names.push(name);
    }
    return names;
  });
}
