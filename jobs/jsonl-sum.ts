import { defineJob } from 'groove-mr';

/**
 * Sums a numeric field of JSON-lines records (reader `jsonl`) per value of another field:
 * `KEY<TAB>SUM`. The fields are parameters: `--param key=FIELD` (default `key`) and
 * `--param value=FIELD` (default `value`). A record whose key is not a string or a number,
 * or whose value is not a finite number, is counted in the counter `jsonl-sum.skipped` and
 * left out; a line that is not JSON at all fails the job (or is counted in
 * `groove.map.input.bad-records` and skipped, with `onBadRecord: 'skip'`).
 *
 *     mr run jobs/jsonl-sum.ts --input events.jsonl.gz --param key=user --param value=bytes
 */
export default defineJob<string, number>({
  name: 'jsonl-sum',
  reader: 'jsonl',
  map(record, emit, ctx) {
    const keyField = ctx.params.key ?? 'key';
    const valueField = ctx.params.value ?? 'value';
    const fields = record !== null && typeof record === 'object' ? (record as Record<string, unknown>) : {};
    const key = fields[keyField];
    const value = fields[valueField];
    if ((typeof key === 'string' || typeof key === 'number') && typeof value === 'number' && Number.isFinite(value)) {
      emit(String(key), value);
    } else {
      ctx.counters.increment('jsonl-sum.skipped');
    }
  },
  combine: (a: number, b: number) => a + b,
  reduce(key, values, emit) {
    let sum = 0;
    for (const v of values) sum += v;
    emit(key, sum);
  },
});
