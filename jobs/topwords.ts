import { defineJob, stages } from 'groove-mr';
import type { Emit } from 'groove-mr';

/**
 * The N most frequent words, from one submission: `--param n=N` (default 10), printed as
 * `WORD<TAB>COUNT` lines, count descending, ties by word ascending (by UTF-8 bytes). Words
 * are the tokens between runs of ASCII whitespace, as jobs/wordcount.ts counts them.
 *
 * Two stages: stage 1 counts every word (a word count); stage 2 reads its `[word, count]`
 * records, keeps each map task's top N under one key (null) with a combiner, and its one
 * reduce merges those into the job's top N.
 *
 *     mr run jobs/topwords.ts --input corpus/ --param n=20
 */
const WHITESPACE = /[ \t\n\r\v\f]+/;
const DEFAULT_N = 10;

/** A word and its count, as stage 2 ranks them. */
type Ranked = [word: string, count: number];

let parsed: { text: string | undefined; n: number } | undefined;

/** The `n` param, checked once per value: a positive integer, or the job fails naming it. */
function topN(params: Readonly<Record<string, string>>): number {
  const text = params['n'];
  if (parsed && parsed.text === text) return parsed.n;
  const n = text === undefined ? DEFAULT_N : /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`topwords: --param n must be a positive integer, got ${JSON.stringify(text)}`);
  parsed = { text, n };
  return n;
}

/** Count descending, then word ascending by UTF-8 bytes (code points, which JS's `<` on UTF-16 is not). */
function rankOrder(a: Ranked, b: Ranked): number {
  return b[1] - a[1] || Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]));
}

/** The best `n` of `values`, best first; at most 2n are held at a time. */
function best(values: Iterable<Ranked>, n: number): Ranked[] {
  let kept: Ranked[] = [];
  for (const v of values) {
    kept.push(v);
    if (kept.length >= 2 * n) kept = kept.sort(rankOrder).slice(0, n);
  }
  return kept.sort(rankOrder).slice(0, n);
}

export default defineJob({
  name: 'topwords',
  stages: stages<string, number>({
    map(line, emit, ctx) {
      topN(ctx.params); // a bad n fails the job at its first record, not after the count
      for (const word of line.split(WHITESPACE)) if (word) emit(word, 1);
    },
    combine: (a: number, b: number) => a + b,
    reduce(word, counts, emit) {
      let n = 0;
      for (const c of counts) n += c;
      emit(word, n);
    },
  }).stage<null, Ranked, string, number>({
    map([word, count], emit) {
      emit(null, [word, count]);
    },
    combine(key, values, emit: Emit<null, Ranked>, ctx) {
      for (const v of best(values, topN(ctx.params))) emit(key, v);
    },
    reduce(_key, values, emit, ctx) {
      for (const [word, count] of best(values, topN(ctx.params))) emit(word, count);
    },
    // One partition: the one reduce sees every map task's best and ranks them together.
    partitions: 1,
  }),
});
