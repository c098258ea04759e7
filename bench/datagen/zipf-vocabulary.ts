import { Prng } from '../prng.js';
import { ZipfRanks } from './zipf-ranks.js';

/** Resolution of the lookup table that narrows each Zipf draw to a few ranks. */
const TABLE_BITS = 20;

/**
 * A vocabulary of distinct pseudo-words drawn with Zipf's law (the r-th most frequent
 * word has weight 1/r^s), the shape of word frequencies in natural text: a few words
 * are everywhere, most are rare, so combiners and hash tables behave as on real text.
 */
export class ZipfVocabulary {
  /** The words, most frequent first, as UTF-8 bytes. */
  readonly words: Buffer[];
  private readonly ranks: ZipfRanks;

  constructor(size: number, exponent: number, seed: number) {
    const rng = new Prng(seed);
    const seen = new Set<string>();
    const words: Buffer[] = [];
    while (words.length < size) {
      // Lengths 1..12, short ones likelier, as in text.
      const len = 1 + Math.min(11, Math.floor(-Math.log(1 - rng.next()) * 4));
      let w = '';
      for (let i = 0; i < len; i++) w += String.fromCharCode(97 + rng.below(26));
      if (!seen.has(w)) {
        seen.add(w);
        words.push(Buffer.from(w));
      }
    }
    this.words = words;
    this.ranks = new ZipfRanks(size, exponent, TABLE_BITS);
  }

  /** The rank of a word drawn for the uniform number u in [0, 1). */
  rank(u: number): number {
    return this.ranks.rank(u);
  }
}
