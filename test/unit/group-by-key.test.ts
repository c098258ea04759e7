import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordSource } from '../../proto/formats/index.js';
import { forEachGroup } from '../../worker/index.js';

/**
 * Generates sorted records on the fly from (key, count) runs, writing each into one reused
 * scratch buffer (so stale views show garbage, and nothing is held in memory). The value is
 * the record's 32-bit sequence number.
 */
class GeneratedSource implements RecordSource {
  produced = 0;
  private run = 0;
  private left: number;
  private readonly scratch = Buffer.alloc(64);
  private k = Buffer.alloc(0);
  private v = Buffer.alloc(0);

  constructor(private readonly runs: readonly [key: string, count: number][]) {
    this.left = runs[0]?.[1] ?? 0;
  }

  get key(): Buffer {
    return this.k;
  }

  get value(): Buffer {
    return this.v;
  }

  next(): boolean {
    this.scratch.fill(0xee);
    while (this.left === 0) {
      if (++this.run >= this.runs.length) return false;
      this.left = (this.runs[this.run] as [string, number])[1];
    }
    this.left--;
    const key = (this.runs[this.run] as [string, number])[0];
    const n = this.scratch.write(key, 0);
    this.scratch.writeUInt32BE(this.produced++, n);
    this.k = this.scratch.subarray(0, n);
    this.v = this.scratch.subarray(n, n + 4);
    return true;
  }

  close(): void {}
}

test('calls fn once per key with exactly that key’s values, in order', () => {
  const source = new GeneratedSource([
    ['', 2],
    ['a', 1],
    ['ab', 3],
    ['b', 1],
    ['ba', 2],
  ]);
  const seen: [string, number[]][] = [];
  forEachGroup(source, (key, values) => {
    const vs: number[] = [];
    for (const v of values) vs.push(v.readUInt32BE(0));
    seen.push([key.toString(), vs]);
  });
  assert.deepEqual(seen, [
    ['', [0, 1]],
    ['a', [2]],
    ['ab', [3, 4, 5]],
    ['b', [6]],
    ['ba', [7, 8]],
  ]);
});

test('an empty source calls nothing', () => {
  forEachGroup(new GeneratedSource([]), () => assert.fail('called'));
});

test('unconsumed values are skipped; the key stays a stable copy', () => {
  const source = new GeneratedSource([
    ['k1', 5],
    ['k2', 4],
    ['k3', 3],
    ['k4', 1],
  ]);
  const seen: [Buffer, number[]][] = [];
  let group = 0;
  forEachGroup(source, (key, values) => {
    const vs: number[] = [];
    const g = group++;
    if (g === 0) {
      // take none
    } else if (g === 1) {
      for (const v of values) {
        vs.push(v.readUInt32BE(0));
        if (vs.length === 2) break;
      }
    } else {
      const it = values[Symbol.iterator]();
      const first = it.next();
      if (!first.done) vs.push(first.value.readUInt32BE(0));
    }
    seen.push([key, vs]);
  });
  assert.deepEqual(
    seen.map(([k, vs]) => [k.toString(), vs]),
    [
      ['k1', []],
      ['k2', [5, 6]],
      ['k3', [9]],
      ['k4', [12]],
    ],
  );
});

test('values are single pass: iterating again, or after fn returned, yields nothing', () => {
  const source = new GeneratedSource([
    ['a', 3],
    ['b', 3],
  ]);
  let kept: Iterable<Buffer> | undefined;
  const counts: number[] = [];
  forEachGroup(source, (key, values) => {
    if (key.toString() === 'a') {
      let first = 0;
      for (const v of values) {
        first++;
        assert.equal(v.readUInt32BE(0), 0);
        break;
      }
      let second = 0;
      for (const _ of values) second++;
      counts.push(first, second);
      kept = values;
    } else {
      let n = 0;
      for (const _ of values) n++;
      let again = 0;
      for (const _ of values) again++;
      counts.push(n, again);
    }
  });
  assert.deepEqual(counts, [1, 0, 3, 0]);
  assert.ok(kept);
  assert.deepEqual([...kept], []);
});

test('a key with 200k values is streamed, never materialised', () => {
  const n = 200_000;
  const source = new GeneratedSource([
    ['a', 1],
    ['hot', n],
    ['z', 1],
  ]);
  const groups: [string, number, number][] = [];
  forEachGroup(source, (key, values) => {
    let count = 0;
    let sum = 0;
    const hot = key.toString() === 'hot';
    for (const v of values) {
      sum += v.readUInt32BE(0);
      count++;
      // The source never runs ahead of the consumer: one record produced per value seen.
      if (hot && source.produced !== 1 + count) assert.fail(`produced ${source.produced} records for ${count} values`);
    }
    groups.push([key.toString(), count, sum]);
  });
  // Values of 'hot' are sequence numbers 1..n.
  assert.deepEqual(groups, [
    ['a', 1, 0],
    ['hot', n, (n * (n + 1)) / 2],
    ['z', 1, n + 1],
  ]);
});

/** A {@link GeneratedSource} that can look one record ahead, as a sorted in-memory buffer can. */
class LookAheadSource extends GeneratedSource {
  private readonly keyOf: string[] = [];
  private at = -1;

  constructor(runs: readonly [key: string, count: number][]) {
    super(runs);
    for (const [key, count] of runs) for (let i = 0; i < count; i++) this.keyOf.push(key);
  }

  override next(): boolean {
    this.at++;
    return super.next();
  }

  nextKeyEquals(): boolean {
    return this.at + 1 < this.keyOf.length && this.keyOf[this.at + 1] === this.keyOf[this.at];
  }
}

test('with single, a key of one record goes there on that record, every other key to fn', () => {
  const runs: [string, number][] = [
    ['a', 1],
    ['b', 3],
    ['c', 1],
    ['d', 1],
    ['e', 2],
    ['f', 1],
  ];
  const seen: string[] = [];
  const source = new LookAheadSource(runs);
  forEachGroup(
    source,
    (key, values) => {
      // Each value is read at its step: the views die at the next one.
      const numbers: number[] = [];
      for (const v of values) numbers.push(v.readUInt32BE(0));
      seen.push(`group ${key.toString()}: ${numbers.join(',')}`);
    },
    { single: (only) => seen.push(`single ${only.key.toString()}: ${only.value.readUInt32BE(0)}`) },
  );
  // The expected calls from the runs themselves: sequence numbers count up across records.
  const expected: string[] = [];
  let seq = 0;
  for (const [key, count] of runs) {
    const numbers = Array.from({ length: count }, () => seq++);
    expected.push(count === 1 ? `single ${key}: ${numbers[0]}` : `group ${key}: ${numbers.join(',')}`);
  }
  assert.deepEqual(seen, expected);
  // A source that cannot look ahead gives every key to fn, single or not.
  const plain: string[] = [];
  forEachGroup(new GeneratedSource(runs), (key) => plain.push(key.toString()), {
    single: () => assert.fail('no look-ahead, no single'),
  });
  assert.deepEqual(
    plain,
    runs.map(([k]) => k),
  );
});
