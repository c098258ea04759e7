import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { splitInputs } from '../../master/index.js';
import type { InputSplit } from '../../master/index.js';

/** The splits as [start, length] pairs, which keeps expectations short. */
function ranges(splits: readonly InputSplit[]): Array<[number, number]> {
  return splits.map((s) => [s.start, s.length]);
}

test('a file smaller than chunkSize gives one split', () => {
  const splits = splitInputs([{ path: 'a', size: 42 }], 100);
  assert.deepEqual(splits, [{ path: 'a', start: 0, length: 42, fileSize: 42 }]);
});

test('a size that is a multiple of chunkSize gives equal splits and no empty one', () => {
  assert.deepEqual(ranges(splitInputs([{ path: 'a', size: 300 }], 100)), [
    [0, 100],
    [100, 100],
    [200, 100],
  ]);
  assert.deepEqual(ranges(splitInputs([{ path: 'a', size: 100 }], 100)), [[0, 100]]);
});

test('a remainder under 10% of chunkSize is merged into the previous split', () => {
  assert.deepEqual(ranges(splitInputs([{ path: 'a', size: 209 }], 100)), [
    [0, 100],
    [100, 109],
  ]);
  assert.deepEqual(ranges(splitInputs([{ path: 'a', size: 101 }], 100)), [[0, 101]]);
  // Exactly 10% is not "under 10%", including where 30 * 0.1 would round above 3.
  assert.deepEqual(ranges(splitInputs([{ path: 'a', size: 210 }], 100)), [
    [0, 100],
    [100, 100],
    [200, 10],
  ]);
  assert.deepEqual(ranges(splitInputs([{ path: 'a', size: 33 }], 30)), [
    [0, 30],
    [30, 3],
  ]);
});

test('below 10 bytes per chunk nothing is ever merged', () => {
  assert.deepEqual(ranges(splitInputs([{ path: 'a', size: 3 }], 1)), [
    [0, 1],
    [1, 1],
    [2, 1],
  ]);
  assert.deepEqual(ranges(splitInputs([{ path: 'a', size: 10 }], 9)), [
    [0, 9],
    [9, 1],
  ]);
});

test('an empty file gives one split of length 0', () => {
  assert.deepEqual(splitInputs([{ path: 'e', size: 0 }], 100), [{ path: 'e', start: 0, length: 0, fileSize: 0 }]);
});

test('files keep their given order and splits their offset order', () => {
  const splits = splitInputs(
    [
      { path: 'z', size: 25 },
      { path: 'e', size: 0 },
      { path: 'a', size: 10 },
    ],
    10,
  );
  assert.deepEqual(
    splits.map((s) => `${s.path}@${s.start}+${s.length}/${s.fileSize}`),
    ['z@0+10/25', 'z@10+10/25', 'z@20+5/25', 'e@0+0/0', 'a@0+10/10'],
  );
  assert.deepEqual(splitInputs([], 10), []);
});

test('splits are contiguous, cover the file, and stay within chunkSize plus the slop', () => {
  for (let chunkSize = 1; chunkSize <= 40; chunkSize++) {
    for (let size = 0; size <= 200; size++) {
      const splits = splitInputs([{ path: 'f', size }], chunkSize);
      let next = 0;
      for (const [i, s] of splits.entries()) {
        assert.equal(s.start, next);
        assert.equal(s.fileSize, size);
        const last = i === splits.length - 1;
        if (last) {
          assert.ok(s.length * 10 < chunkSize * 11, `last split ${s.length} > 1.1 * ${chunkSize}`);
          if (s.length < chunkSize) assert.ok(splits.length === 1 || s.length * 10 >= chunkSize);
        } else {
          assert.equal(s.length, chunkSize);
        }
        next += s.length;
      }
      assert.equal(next, size, `size ${size}, chunkSize ${chunkSize}`);
    }
  }
});

test('a chunkSize that is not a positive integer is a RangeError naming chunkSize', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    assert.throws(
      () => splitInputs([{ path: 'a', size: 10 }], bad),
      (err: unknown) => {
        assert.ok(err instanceof RangeError);
        assert.match(err.message, /chunkSize/);
        return true;
      },
    );
  }
});

test('a file size that is not a non-negative integer is a RangeError naming the file', () => {
  for (const bad of [-1, 0.5, Number.NaN]) {
    assert.throws(
      () =>
        splitInputs(
          [
            { path: 'ok', size: 1 },
            { path: 'bad.txt', size: bad },
          ],
          10,
        ),
      (err: unknown) => {
        assert.ok(err instanceof RangeError);
        assert.match(err.message, /files\[1\]\.size \(bad\.txt\)/);
        return true;
      },
    );
  }
});

test('a file that is not splittable gets one split, also when its size is unknown (Infinity: read to the end)', () => {
  assert.deepEqual(
    splitInputs(
      [
        { path: 'a', size: 25 },
        { path: 'whole', size: 1000, splittable: false },
        { path: 'unsized', size: Infinity, splittable: false },
        { path: 'b', size: 10 },
      ],
      10,
    ),
    [
      { path: 'a', start: 0, length: 10, fileSize: 25 },
      { path: 'a', start: 10, length: 10, fileSize: 25 },
      { path: 'a', start: 20, length: 5, fileSize: 25 },
      { path: 'whole', start: 0, length: 1000, fileSize: 1000 },
      { path: 'unsized', start: 0, length: Infinity, fileSize: Infinity },
      { path: 'b', start: 0, length: 10, fileSize: 10 },
    ],
  );
  // Only an unsplittable file may be of unknown size: a splittable one must be cut by its size.
  assert.throws(() => splitInputs([{ path: 'x', size: Infinity }], 10), /files\[0\]\.size \(x\)/);
});
