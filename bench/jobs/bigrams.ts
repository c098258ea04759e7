import { defineJob } from '../../sdk/index.js';

/**
 * Shuffle-heavy job for the benchmark: every pair of adjacent words -> the inputs it
 * occurs in. No combiner, so every pair crosses the shuffle with its input's name.
 */
const WHITESPACE = /[ \t\n\r\v\f]+/;

export default defineJob<[string, string], string, [string, string], string[]>({
  name: 'bigrams',
  map(line, emit, ctx) {
    const words = line.split(WHITESPACE).filter(Boolean);
    for (let i = 1; i < words.length; i++) emit([words[i - 1] as string, words[i] as string], ctx.input);
  },
  reduce(pair, inputs, emit) {
    const names = new Set<string>();
    for (const name of inputs) names.add(name);
    emit(pair, [...names].sort());
  },
  partitions: 2,
});
