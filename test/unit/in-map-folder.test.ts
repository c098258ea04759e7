import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { InMapFolder } from '../../worker/task-runtime/in-map-folder.js';
import { UserCodeError } from '../../worker/task-runtime/user-code-error.js';
import type { Key } from '../../common/index.js';
import { skewedCounts, sumByKey } from '../helpers/keyed-counts.js';

const plus = (a: unknown, b: unknown): unknown => (a as number) + (b as number);

describe('in-mapper folding (binary combiner)', () => {
  it('keeps one running value per key, for string and tuple keys', () => {
    const input = skewedCounts(11, 20_000);
    const out: [Key, unknown][] = [];
    const f = new InMapFolder(1 << 30, plus, (k, v) => out.push([k, v]));
    for (const [k, v] of input) f.add(k, v);
    f.flush();
    assert.deepEqual(sumByKey(out), sumByKey(input));
    assert.equal(out.length, new Set(input.map(([k]) => JSON.stringify(k))).size);
  });

  it('flushes past its limit, also when values grow as they fold', () => {
    const out: [Key, unknown][] = [];
    // Concatenation: the table's size grows with every fold of the same few keys.
    const f = new InMapFolder(1024, (a, b) => `${String(a)}${String(b)}`, (k, v) => out.push([k, v]));
    for (let i = 0; i < 3000; i++) f.add(`k${i % 3}`, 'x');
    f.flush();
    assert.ok(out.length > 10, `only ${out.length} records: the table never flushed`);
    const chars = new Map<string, number>();
    for (const [k, v] of out) chars.set(k as string, (chars.get(k as string) ?? 0) + (v as string).length);
    assert.deepEqual(chars, new Map([['k0', 1000], ['k1', 1000], ['k2', 1000]]));
  });

  it('tells a first value of undefined from a missing key', () => {
    const out: [Key, unknown][] = [];
    const f = new InMapFolder(1 << 20, (a, b) => (a === undefined ? b : a), (k, v) => out.push([k, v]));
    f.add('k', undefined);
    f.add('k', 5);
    f.flush();
    assert.deepEqual(out, [['k', 5]]);
  });

  it('reports a throwing fold as the user\'s combine error, naming the key', () => {
    const f = new InMapFolder(1 << 20, () => {
      throw new TypeError('no folding today');
    }, () => undefined);
    f.add('first', 1);
    assert.throws(
      () => f.add('first', 2),
      (err: unknown) => err instanceof UserCodeError && err.phase === 'combine' && /key "first".*no folding today/.test(err.message),
    );
  });
});
