import { defineJob } from 'groove-mr';

/**
 * Total-order sort of text lines, printed as the gensort layout splits them: the first
 * KEY_CHARS characters, a tab, the rest of the line. The part files read in partition order
 * are globally sorted by whole line (code point order, which is `LC_ALL=C sort`'s byte order
 * for UTF-8 text): nothing to pass, the split points of the partitions are sampled from the
 * input at submit (`totalOrder`, docs/sorting.md).
 *
 *     mr run jobs/sort.ts --input records/ --partitions 4 --output sorted/
 *     cat sorted/part-* | sed 's/\t//'     # the same as LC_ALL=C sort records/*
 *
 * The key is the whole line, so equal 10-character keys still come out in the order of the
 * rest of their lines, and duplicates as often as they were in the input.
 */
const KEY_CHARS = 10;

export default defineJob<string, number, string, string>({
  name: 'sort',
  map(line, emit) {
    emit(line, 1);
  },
  reduce(line, copies, emit) {
    for (const copy of copies) for (let i = 0; i < copy; i++) emit(line.slice(0, KEY_CHARS), line.slice(KEY_CHARS));
  },
  totalOrder: true,
});
