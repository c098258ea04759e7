import { defineJob } from 'groove-mr';

/**
 * Inverted index: each word (tokens as in wordcount) -> the sorted list of the distinct
 * inputs it occurs in. The combiner merges lists map-side so a frequent word costs one
 * record per map task, not one per occurrence.
 */
const WHITESPACE = /[ \t\n\r\v\f]+/;

function mergeSorted(lists: Iterable<string[]>): string[] {
  const names = new Set<string>();
  for (const list of lists) for (const name of list) names.add(name);
  return [...names].sort();
}

export default defineJob<string, string[]>({
  name: 'invertedindex',
  map(line, emit, ctx) {
    const seen = new Set<string>();
    for (const word of line.split(WHITESPACE)) {
      if (word && !seen.has(word)) {
        seen.add(word);
        emit(word, [ctx.input]);
      }
    }
  },
  combine(word, lists, emit) {
    emit(word, mergeSorted(lists));
  },
  reduce(word, lists, emit) {
    emit(word, mergeSorted(lists));
  },
});
