import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { NOT_SHORT, SHORT_KEY_MAX_LENGTH, ShortKeyTable } from '../../worker/index.js';

function contents(table: ShortKeyTable): Map<string, number> {
  const seen = new Map<string, number>();
  table.forEach((k, v) => {
    assert.ok(!seen.has(k), `key ${JSON.stringify(k)} visited twice`);
    seen.set(k, v);
  });
  return seen;
}

describe('short-key table', () => {
  it('holds every Latin-1 key of 1 to 15 characters exactly, and gives each its own slot', () => {
    const keys = [
      'a',
      'ab',
      'abc',
      'abcd',
      'abcde',
      'abcdefgh',
      'abcdefghi',
      'abcdefghijkl',
      'abcdefghijklm',
      'x'.repeat(SHORT_KEY_MAX_LENGTH),
    ];
    // Characters that a byte packing could confuse: NUL, the top of Latin-1, a prefix of
    // another key, the same characters in another order.
    keys.push('abcdefghXjklmno', 'abcdefghYjklmno', 'abcdefghijklXno', 'abcdefghijklYno', 'abcdXfghijklmno');
    keys.push('\0', '\0\0', 'a\0', '\u00ff\u00e9', 'ba', 'dcba', 'abcdefghijklmn\u00ff', 'É');
    const table = new ShortKeyTable(16);
    keys.forEach((k, i) => {
      const s = table.slotOf(k);
      assert.notEqual(s, NOT_SHORT, JSON.stringify(k));
      assert.equal(table.inserted, true, `${JSON.stringify(k)} was new`);
      table.values[s] = i;
    });
    keys.forEach((k, i) => {
      const s = table.slotOf(k);
      assert.equal(table.inserted, false);
      assert.equal(table.values[s], i, JSON.stringify(k));
    });
    assert.equal(table.size, keys.length);
    assert.deepEqual(contents(table), new Map(keys.map((k, i) => [k, i])));
  });

  it('refuses the empty key, long keys and characters above U+00FF', () => {
    const table = new ShortKeyTable();
    for (const k of [
      '',
      'y'.repeat(SHORT_KEY_MAX_LENGTH + 1),
      '\u0100',
      'abc\u20ac',
      'long enough\u{1f600}',
      'emoji\u{1f600}',
    ]) {
      assert.equal(table.slotOf(k), NOT_SHORT, JSON.stringify(k));
    }
    assert.equal(table.size, 0);
  });

  it('keeps slots and values through growth, and sums like a Map', () => {
    const table = new ShortKeyTable(16);
    const expected = new Map<string, number>();
    // 60,000 distinct keys, each added a few times: the table doubles many times, some
    // of them on the insertion whose slot the caller is about to write.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 60_000; i++) {
        const k = `w${(i * 7919) % 60_000}`;
        const s = table.slotOf(k);
        table.values[s] = table.inserted ? i : (table.values[s] as number) + i;
        expected.set(k, (expected.get(k) ?? 0) + i);
      }
    }
    assert.equal(table.size, 60_000);
    assert.deepEqual(contents(table), expected);
  });

  it('is empty after clear and can be filled again', () => {
    const table = new ShortKeyTable(16);
    for (let i = 0; i < 100; i++) table.values[table.slotOf(`k${i}`)] = i;
    table.clear();
    assert.equal(table.size, 0);
    assert.deepEqual(contents(table), new Map());
    const s = table.slotOf('k5');
    assert.equal(table.inserted, true);
    table.values[s] = 1;
    assert.deepEqual(contents(table), new Map([['k5', 1]]));
  });
});
