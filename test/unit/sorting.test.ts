import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSplits,
  chooseSplits,
  compareKeys,
  decodeKey,
  encodeKey,
  prefixTupleBytes,
  rangePartitionOfRange,
  tuplePrefixEnd,
} from '../../proto/formats/index.js';
import type { Key, RecordSource } from '../../proto/formats/index.js';
import { forEachGroup } from '../../worker/index.js';
import { checkJobDefinition } from '../../common/index.js';
import { mulberry32 } from '../helpers/corpus.js';

/** Random keys of every type, tuples included, for order properties. */
function randomKey(random: () => number, depth = 0): Key {
  const r = random();
  if (r < 0.1) return null;
  if (r < 0.2) return random() < 0.5;
  if (r < 0.45) return Math.floor((random() - 0.5) * 1000) / 8;
  if (r < 0.75 || depth > 2) {
    const chars = ['a', 'b', '\0', 'é', '😀', 'Z', ''];
    return Array.from({ length: Math.floor(random() * 4) }, () => chars[Math.floor(random() * chars.length)]).join('');
  }
  return Array.from({ length: Math.floor(random() * 4) }, () => randomKey(random, depth + 1));
}

/** A sorted in-memory source of encoded records. */
function sortedSource(records: readonly [Key, string][]): RecordSource {
  const encoded = records
    .map(([k, v]) => [encodeKey(k), Buffer.from(v)] as const)
    .sort((a, b) => Buffer.compare(a[0], b[0]));
  let i = -1;
  return {
    next: () => ++i < encoded.length,
    get key() {
      return (encoded[i] as readonly [Buffer, Buffer])[0];
    },
    get value() {
      return (encoded[i] as readonly [Buffer, Buffer])[1];
    },
    close: () => undefined,
  };
}

describe('range partitioning (totalOrder)', () => {
  it('puts every key in the range of its split points, in key order, for random keys and splits', () => {
    const random = mulberry32(7);
    for (let round = 0; round < 50; round++) {
      const sample = Array.from({ length: 200 }, () => encodeKey(randomKey(random)));
      const partitions = 1 + Math.floor(random() * 8);
      const splits = chooseSplits(sample, partitions);
      checkSplits(splits, partitions);
      const keys = Array.from({ length: 300 }, () => randomKey(random)).sort(compareKeys);
      let last = 0;
      for (const key of keys) {
        const bytes = encodeKey(key);
        const p = rangePartitionOfRange(bytes, 0, bytes.length, splits);
        assert.ok(p >= 0 && p < partitions);
        // Independent check: the number of split points (decoded) at or below the key.
        assert.equal(p, splits.filter((s) => compareKeys(decodeKey(s), key) <= 0).length);
        assert.ok(p >= last, 'partitions of sorted keys must not go down');
        last = p;
      }
    }
  });

  it('chooses quantiles that give partitions of about equal size', () => {
    const random = mulberry32(3);
    const keys = Array.from({ length: 20_000 }, () => encodeKey(Math.floor(random() * 1e9)));
    const splits = chooseSplits(keys.slice(0, 2000), 5);
    assert.equal(splits.length, 4);
    const sizes = [0, 0, 0, 0, 0];
    for (const k of keys) {
      const p = rangePartitionOfRange(k, 0, k.length, splits);
      sizes[p] = (sizes[p] ?? 0) + 1;
    }
    for (const s of sizes) assert.ok(s > 3000 && s < 5000, `partition sizes ${sizes.join(', ')}`);
  });

  it('keeps a frequent key once, never as the lowest split, and gives none for an empty sample', () => {
    const a = encodeKey('a');
    const b = encodeKey('b');
    assert.deepEqual(chooseSplits([a, a, a, a, a, a, b, b], 4), [b]);
    assert.deepEqual(chooseSplits([a, a, a], 4), []);
    assert.deepEqual(chooseSplits([], 4), []);
  });

  it('refuses split points that do not ascend or are too many for the partitions', () => {
    assert.throws(() => checkSplits([encodeKey('b'), encodeKey('a')], 3), /must ascend; split 1/);
    assert.throws(() => checkSplits([encodeKey('a'), encodeKey('b')], 2), /2 total-order split points need at least 3/);
  });
});

describe('tuple prefixes (groupPrefix)', () => {
  it('finds the first n elements of random tuples, which decode to the prefix and order like it', () => {
    const random = mulberry32(5);
    for (let round = 0; round < 500; round++) {
      const n = 1 + Math.floor(random() * 3);
      const key = Array.from({ length: n + Math.floor(random() * 3) }, () => randomKey(random));
      const bytes = encodeKey(key);
      const end = tuplePrefixEnd(bytes, 0, bytes.length, n);
      assert.deepEqual(decodeKey(prefixTupleBytes(bytes, 0, end)), key.slice(0, n));
      const other = Array.from({ length: n + 1 }, () => randomKey(random));
      const ob = encodeKey(other);
      const oe = tuplePrefixEnd(ob, 0, ob.length, n);
      assert.equal(
        Math.sign(Buffer.compare(bytes.subarray(0, end), ob.subarray(0, oe))),
        Math.sign(compareKeys(key.slice(0, n), other.slice(0, n))),
      );
    }
  });

  it('refuses a key that is not a tuple of at least n elements', () => {
    const str = encodeKey('user');
    assert.throws(
      () => tuplePrefixEnd(str, 0, str.length, 1),
      /groupPrefix 1 needs keys that are arrays.*not an array/,
    );
    const one = encodeKey(['u']);
    assert.throws(() => tuplePrefixEnd(one, 0, one.length, 2), /an array of 1 element$/);
  });

  it('groups a sorted source by prefix, values in full-key order', () => {
    const random = mulberry32(9);
    const records: [Key, string][] = [];
    for (let i = 0; i < 500; i++) {
      const user = ['ann', 'bob', 'b\0b', 'zoë'][Math.floor(random() * 4)] as string;
      records.push([[user, Math.floor(random() * 100)], `v${i}`]);
    }
    const groups: [Key, string[]][] = [];
    forEachGroup(
      sortedSource(records),
      (key, values) => {
        groups.push([decodeKey(prefixTupleBytes(key, 0, key.length)), [...values].map((v) => v.toString())]);
      },
      { groupEnd: (key) => tuplePrefixEnd(key, 0, key.length, 1) },
    );
    // Independently: group in a Map by user, each group sorted by full key.
    const expected = new Map<string, [Key, string][]>();
    for (const r of records) {
      const user = (r[0] as Key[])[0] as string;
      expected.set(user, [...(expected.get(user) ?? []), r]);
    }
    const users = [...expected.keys()].sort((a, b) => compareKeys(a, b));
    assert.deepEqual(
      groups.map(([k]) => k),
      users.map((u) => [u]),
    );
    for (const [key, values] of groups) {
      const user = (key as Key[])[0] as string;
      const want = expected.get(user) ?? [];
      assert.deepEqual([...values].sort(), want.map((r) => r[1]).sort(), `the values of ${user}`);
      // In full-key order: the [user, time] each value was emitted with never goes down.
      const fullKeys = values.map((v) => encodeKey((records[Number(v.slice(1))] as [Key, string])[0]));
      for (let i = 1; i < fullKeys.length; i++)
        assert.ok(Buffer.compare(fullKeys[i - 1] as Buffer, fullKeys[i] as Buffer) <= 0, `${user}: value ${i}`);
    }
  });
});

describe('the sort options of defineJob', () => {
  const map = (): void => undefined;
  it('refuses a groupPrefix that is not a positive integer, and totalOrder with a partition function', () => {
    assert.throws(
      () => checkJobDefinition({ map, groupPrefix: 0 }),
      /groupPrefix must be an integer from 1 to 127, got 0/,
    );
    assert.throws(() => checkJobDefinition({ map, groupPrefix: 1.5 }), /groupPrefix must be an integer/);
    assert.throws(
      () => checkJobDefinition({ map, totalOrder: 'yes' as unknown as boolean }),
      /totalOrder must be true or false/,
    );
    assert.throws(() => checkJobDefinition({ map, totalOrder: true, partition: () => 0 }), /remove its partition/);
    assert.throws(() => checkJobDefinition({ map, groupprefix: 1 } as never), /did you mean groupPrefix\?/);
    assert.equal(checkJobDefinition({ map, groupPrefix: 2, totalOrder: true }).groupPrefix, 2);
  });
});
