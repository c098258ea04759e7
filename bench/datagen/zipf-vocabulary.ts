import { Prng } from '../prng.js';

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
  private readonly cdf: Float64Array;
  private readonly table: Uint32Array;

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
    this.cdf = new Float64Array(size);
    let total = 0;
    for (let r = 0; r < size; r++) this.cdf[r] = total += 1 / Math.pow(r + 1, exponent);
    for (let r = 0; r < size; r++) this.cdf[r] = (this.cdf[r] as number) / total;
    // table[i] = the first rank whose cumulative weight reaches i / 2^TABLE_BITS.
    const n = 1 << TABLE_BITS;
    this.table = new Uint32Array(n + 1);
    let r = 0;
    for (let i = 0; i <= n; i++) {
      while (r < size - 1 && (this.cdf[r] as number) < i / n) r++;
      this.table[i] = r;
    }
  }

  /** The rank of a word drawn for the uniform number u in [0, 1). */
  rank(u: number): number {
    const i = Math.floor(u * (this.table.length - 1));
    let lo = this.table[i] as number;
    let hi = this.table[i + 1] as number;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
