import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { InMapCombiner } from '../../worker/index.js';
import type { Key } from '../../common/index.js';
import { skewedCounts, sumByKey } from '../helpers/keyed-counts.js';

const sum = (_key: Key, values: unknown[]): unknown[] => [values.reduce((a: number, b) => a + (b as number), 0)];

describe('in-mapper combining', () => {
  it('combines per key, across string and tuple keys, to the same totals', () => {
    const input = skewedCounts(5, 20_000);
    const out: [Key, unknown][] = [];
    const c = new InMapCombiner(1 << 30, sum, (k, v) => out.push([k, v]));
    for (const [k, v] of input) c.add(k, v);
    c.flush();
    assert.deepEqual(sumByKey(out), sumByKey(input));
    // One record per distinct key when nothing forced an early flush.
    assert.equal(out.length, new Set(input.map(([k]) => JSON.stringify(k))).size);
  });

  it('flushes when its table passes the limit, and stays correct', () => {
    const out: [Key, unknown][] = [];
    let flushes = 0;
    const c = new InMapCombiner(4096, sum, (k, v) => out.push([k, v]));
    const input: [Key, number][] = Array.from({ length: 5000 }, (_, i) => [`key-${i % 700}`, 1]);
    for (const [k, v] of input) {
      const before = out.length;
      c.add(k, v);
      if (out.length > before) flushes++;
    }
    c.flush();
    assert.ok(flushes >= 5, `only ${flushes} early flushes`);
    assert.deepEqual(sumByKey(out), sumByKey(input));
  });

  it('hands a combine that emits nothing an empty list, and passes single values through uncombined', () => {
    let calls = 0;
    const out: [Key, unknown][] = [];
    const c = new InMapCombiner(
      1 << 20,
      () => {
        calls++;
        return [];
      },
      (k, v) => out.push([k, v]),
    );
    c.add('lonely', 1);
    c.add('pair', 1);
    c.add('pair', 2);
    c.flush();
    assert.equal(calls, 1);
    assert.deepEqual(out, [['lonely', 1]]);
  });
});
