import { Prng } from '../prng.js';

/** Letters in the order of their frequency in English text, with their weights (per mille). */
const LETTERS = 'etaoinshrdlcumwfgypbvkjxqz';
const LETTER_WEIGHTS = [
  127, 91, 82, 75, 70, 67, 63, 61, 60, 43, 40, 28, 28, 24, 24, 22, 20, 20, 19, 15, 10, 8, 2, 2, 1, 1,
];
const VOWELS = new Set('aeiouy');

/**
 * Word lengths of English dictionary words (distinct words, not tokens: the frequent ones
 * are shorter, see {@link NaturalVocabulary}), 1-16 letters, weights per mille.
 */
const LENGTH_WEIGHTS = [5, 20, 45, 80, 110, 130, 135, 125, 105, 85, 60, 40, 25, 15, 10, 10];

/** Picks an index by cumulative weights. */
function pick(cumulative: readonly number[], u: number): number {
  const total = cumulative[cumulative.length - 1] as number;
  const x = u * total;
  let i = 0;
  while ((cumulative[i] as number) <= x) i++;
  return i;
}

function cumulate(weights: readonly number[]): number[] {
  let t = 0;
  return weights.map((w) => (t += w));
}

const LETTER_CDF = cumulate(LETTER_WEIGHTS);
const LENGTH_CDF = cumulate(LENGTH_WEIGHTS);

/**
 * A pronounceable pseudo-word: letters by English frequency, with vowels and consonants
 * mostly alternating so words look like words and hash like words (not like random bytes).
 */
function pseudoWord(rng: Prng, length: number): string {
  let w = '';
  let lastVowel = rng.below(2) === 0;
  for (let i = 0; i < length; i++) {
    let c = LETTERS[pick(LETTER_CDF, rng.next())] as string;
    // Two consonants or two vowels in a row only sometimes.
    for (let tries = 0; tries < 4 && VOWELS.has(c) === lastVowel && rng.below(3) > 0; tries++)
      c = LETTERS[pick(LETTER_CDF, rng.next())] as string;
    lastVowel = VOWELS.has(c);
    w += c;
  }
  return w;
}

/**
 * The distinct lower-case words of a natural-language corpus, most frequent first: the
 * first ranks (function words) 1-4 letters, lengths growing with rank towards the
 * dictionary's distribution (mean about 7 letters), as in English where the frequent
 * words are short and the rare ones long.
 */
export class NaturalVocabulary {
  readonly words: string[];

  constructor(size: number, seed: number) {
    const rng = new Prng(seed);
    const seen = new Set<string>();
    const words: string[] = [];
    while (words.length < size) {
      const rank = words.length;
      const dictionary = 1 + pick(LENGTH_CDF, rng.next());
      // The 100 most frequent words average about 3 letters; by rank 2,000 the dictionary's.
      const cap = rank < 100 ? 2 + rng.below(3) : rank < 2000 ? 3 + Math.floor(rank / 200) : 16;
      const w = pseudoWord(rng, Math.min(dictionary, cap));
      if (!seen.has(w)) {
        seen.add(w);
        words.push(w);
      }
    }
    this.words = words;
  }
}
