import { defineJob } from 'groove-mr';

/**
 * Distinct count of lines: one record, `distinct<TAB>N`, N being what `sort -u | wc -l`
 * says of the input (lines compared whole, blank lines included, a CRLF's CR dropped).
 *
 *     mr run jobs/distinct.ts --input logs/
 *
 * Secondary sort does the counting (docs/sorting.md): every line becomes the key
 * `['lines', line]`, and `groupPrefix: 1` hands one reduce call all of them in line order,
 * so a new line is told by its full key (`ctx.valueKey`) changing, with no set of lines
 * held in memory. The combiner keeps each map's copies of a line to one. All lines meet in
 * one reducer: for inputs with billions of distinct lines, count per hash partition and add.
 */
type LineKey = [group: string, line: string] | [group: string];

export default defineJob<LineKey, number, string, number>({
  name: 'distinct',
  map(line, emit) {
    emit(['lines', line], 1);
  },
  combine: (a: number, b: number) => a + b,
  reduce(_group, copies, emit, ctx) {
    let distinct = 0;
    let last: string | undefined;
    for (const _copy of copies) {
      const line = (ctx.valueKey as LineKey)[1];
      if (distinct === 0 || line !== last) distinct++;
      last = line;
    }
    emit('distinct', distinct);
  },
  groupPrefix: 1,
  partitions: 1,
});
