import { defineJob } from 'groove-mr';

/**
 * Word count: every token between runs of ASCII whitespace (space, tab, CR, LF, VT, FF),
 * counted exactly, case kept, the same tokens as `tr -s '[:space:]' '\n'` in the C locale.
 */
const WHITESPACE = /[ \t\n\r\v\f]+/;

export default defineJob<string, number>({
  name: 'wordcount',
  map(line, emit) {
    for (const word of line.split(WHITESPACE)) if (word) emit(word, 1);
  },
  // A binary fold: Groove keeps one running count per word while mapping.
  combine: (a: number, b: number) => a + b,
  reduce(word, counts, emit) {
    let n = 0;
    for (const c of counts) n += c;
    emit(word, n);
  },
  partitions: 4,
});
