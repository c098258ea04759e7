import * as path from 'node:path';
import { Prng } from '../prng.js';
import { BufferedFileWriter } from './buffered-file-writer.js';
import { cachedDataset } from './dataset-cache.js';
import type { Dataset } from './dataset-cache.js';

/** Bytes per record, line end included (as gensort's ASCII records). */
export const RECORD_BYTES = 100;
/** Bytes of the random key at the start of each record. */
export const KEY_BYTES = 10;

/** How a sort data set is made. */
export interface SortRecipe {
  readonly records: number;
  readonly files: number;
  readonly seed: number;
}

/**
 * Records of 100 bytes: a 10-byte key of random printable ASCII (no space, so `sort`
 * and the job see the same key), then the record number and filler, then `\n`.
 */
export function sortRecords(dir: string, recipe: SortRecipe): Dataset {
  return cachedDataset(dir, { kind: 'sort-records', ...recipe }, (out) => {
    const rng = new Prng(recipe.seed);
    const record = Buffer.alloc(RECORD_BYTES);
    const perFile = Math.ceil(recipe.records / recipe.files);
    const names: string[] = [];
    let n = 0;
    for (let f = 0; f < recipe.files; f++) {
      const name = `records-${String(f).padStart(3, '0')}.txt`;
      const w = new BufferedFileWriter(path.join(out, name));
      for (let i = 0; i < perFile && n < recipe.records; i++, n++) {
        // Keys from '!' to '~' (94 symbols): 94^10 keys, so duplicates are vanishingly rare.
        for (let k = 0; k < KEY_BYTES; k++) record[k] = 0x21 + rng.below(94);
        record.write(String(n).padStart(12, '0'), KEY_BYTES, 'latin1');
        for (let k = KEY_BYTES + 12; k < RECORD_BYTES - 1; k++) record[k] = 0x41 + ((n + k) % 26);
        record[RECORD_BYTES - 1] = 0x0a;
        w.write(record);
      }
      w.close();
      names.push(name);
    }
    return names;
  });
}
