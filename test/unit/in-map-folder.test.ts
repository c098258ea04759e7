import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { InMapFolder } from '../../worker/index.js';
import { UserCodeError } from '../../worker/index.js';
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
    const f = new InMapFolder(
      1024,
      (a, b) => `${String(a)}${String(b)}`,
      (k, v) => out.push([k, v]),
    );
    for (let i = 0; i < 3000; i++) f.add(`k${i % 3}`, 'x');
    f.flush();
    assert.ok(out.length > 10, `only ${out.length} records: the table never flushed`);
    const chars = new Map<string, number>();
    for (const [k, v] of out) chars.set(k as string, (chars.get(k as string) ?? 0) + (v as string).length);
    assert.deepEqual(
      chars,
      new Map([
        ['k0', 1000],
        ['k1', 1000],
        ['k2', 1000],
      ]),
    );
  });

  it('tells a first value of undefined from a missing key', () => {
    const out: [Key, unknown][] = [];
    const f = new InMapFolder(
      1 << 20,
      (a, b) => (a === undefined ? b : a),
      (k, v) => out.push([k, v]),
    );
    f.add('k', undefined);
    f.add('k', 5);
    f.flush();
    assert.deepEqual(out, [['k', 5]]);
  });

  it("reports a throwing fold as the user's combine error, naming the key", () => {
    const f = new InMapFolder(
      1 << 20,
      () => {
        throw new TypeError('no folding today');
      },
      () => undefined,
    );
    f.add('first', 1);
    assert.throws(
      () => f.add('first', 2),
      (err: unknown) =>
        err instanceof UserCodeError && err.phase === 'combine' && /key "first".*no folding today/.test(err.message),
    );
  });

  it('folds short, long and non-Latin-1 string keys alike, one record per key', () => {
    const keys = [
      'a',
      'word',
      'fifteen-chars-x',
      'sixteen-chars-xx',
      'a much longer key than that',
      'caf\u00e9',
      '\u20ac',
      '\u{1f600}x',
      '',
    ];
    const out: [Key, unknown][] = [];
    const f = new InMapFolder(1 << 30, plus, (k, v) => out.push([k, v]));
    for (let i = 0; i < 5000; i++) f.add(keys[i % keys.length] as string, i);
    f.flush();
    const expected = new Map<string, number>();
    for (let i = 0; i < 5000; i++)
      expected.set(keys[i % keys.length] as string, (expected.get(keys[i % keys.length] as string) ?? 0) + i);
    assert.equal(out.length, keys.length);
    assert.deepEqual(new Map(out as [string, number][]), expected);
  });

  it('keeps one value per key when a fold of numbers starts giving other values', () => {
    const out: [Key, unknown][] = [];
    // Numbers until a sum passes 100, then a string: the short keys' table is left midway.
    const f = new InMapFolder(
      1 << 30,
      (a, b) => (typeof a === 'number' && a + (b as number) <= 100 ? a + (b as number) : `${String(a)}+${String(b)}`),
      (k, v) => out.push([k, v]),
    );
    for (let i = 0; i < 44; i++) f.add(`k${i % 4}`, 10);
    f.flush();
    assert.deepEqual(out.map(([k]) => k).sort(), ['k0', 'k1', 'k2', 'k3']);
    for (const [, v] of out) assert.equal(v, '100+10');
  });

  it('keeps one value per key when a non-number is emitted after numbers', () => {
    const out: [Key, unknown][] = [];
    const f = new InMapFolder(
      1 << 30,
      (a, b) => `${String(a)},${String(b)}`,
      (k, v) => out.push([k, v]),
    );
    f.add('k', 1);
    f.add('j', 2);
    f.add('k', 'x');
    f.add('j', 3);
    f.flush();
    assert.deepEqual(
      new Map(out as [string, unknown][]),
      new Map([
        ['k', '1,x'],
        ['j', '2,3'],
      ]),
    );
  });

  it('flushes number folds of short keys past its limit too', () => {
    const out: [Key, unknown][] = [];
    const f = new InMapFolder(4096, plus, (k, v) => out.push([k, v]));
    for (let i = 0; i < 10_000; i++) f.add(`w${i % 1000}`, 1);
    f.flush();
    assert.ok(out.length > 1000, `${out.length} records: the table never flushed`);
    assert.deepEqual(sumByKey(out), sumByKey(Array.from({ length: 1000 }, (_, i): [Key, unknown] => [`w${i}`, 10])));
  });
});
