import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { chunkSizeFor, MAX_PIECES_PER_SPLIT, MIN_SLOT_CHUNK_SIZE, planSplits, SplitPlan } from '../../master/index.js';
import { splitInputs as split } from '../../master/index.js';
import { mulberry32 } from '../helpers/prng.js';
import type { InputFile, InputPiece, InputSplit } from '../../master/index.js';

/** Splits of files each its own (no packing): one piece per split, as before splits had pieces. */
function splitInputs(files: readonly InputFile[], chunkSize: number): InputPiece[] {
  return split(files, { chunkSize, pack: false }).map((s) => {
    assert.equal(s.pieces.length, 1);
    return s.pieces[0] as InputPiece;
  });
}

/** The splits as [start, length] pairs, which keeps expectations short. */
function ranges(splits: readonly InputPiece[]): Array<[number, number]> {
  return splits.map((s) => [s.start, s.length]);
}

/** A split in short: its pieces as path@start+length. */
function short(s: InputSplit): string {
  return s.pieces.map((p) => `${p.path}@${p.start}+${p.length}`).join(' ');
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
      () => split([{ path: 'a', size: 10 }], bad),
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
        split(
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

test('small files are packed whole, in order, into splits of up to chunkSize', () => {
  const files = [
    { path: 'a', size: 30 },
    { path: 'b', size: 50 },
    { path: 'c', size: 20 },
    { path: 'd', size: 1 },
    { path: 'e', size: 0 },
    { path: 'f', size: 100 },
    { path: 'g', size: 99 },
  ];
  assert.deepEqual(split(files, 100).map(short), ['a@0+30 b@0+50 c@0+20', 'd@0+1 e@0+0', 'f@0+100', 'g@0+99']);
  assert.deepEqual(
    split(files, 100).map((s) => s.length),
    [100, 1, 100, 99],
  );
});

test('a file cut into chunks is never packed, and packing starts again after it', () => {
  const files = [
    { path: 'a', size: 50 },
    { path: 'big', size: 250 },
    { path: 'b', size: 30 },
    { path: 'c', size: 40 },
    { path: 'full', size: 100 }, // exactly chunkSize: one split, packable (but nothing fits beside it)
    { path: 'slop', size: 105 }, // one split by the slop rule, but over chunkSize: alone
    { path: 'e', size: 20 },
  ];
  assert.deepEqual(split(files, 100).map(short), [
    'a@0+50',
    'big@0+100',
    'big@100+100',
    'big@200+50',
    'b@0+30 c@0+40',
    'full@0+100',
    'slop@0+105',
    'e@0+20',
  ]);
});

test('pack: false gives every file its own splits', () => {
  const files = Array.from({ length: 5 }, (_, i) => ({ path: `f${i}`, size: 3 }));
  assert.equal(split(files, { chunkSize: 100 }).length, 1);
  assert.deepEqual(split(files, { chunkSize: 100, pack: false }).map(short), [
    'f0@0+3',
    'f1@0+3',
    'f2@0+3',
    'f3@0+3',
    'f4@0+3',
  ]);
});

test(`a split packs at most ${MAX_PIECES_PER_SPLIT} files`, () => {
  const files = Array.from({ length: 2 * MAX_PIECES_PER_SPLIT + 1 }, (_, i) => ({ path: `f${i}`, size: 0 }));
  assert.deepEqual(
    split(files, 1 << 20).map((s) => s.pieces.length),
    [MAX_PIECES_PER_SPLIT, MAX_PIECES_PER_SPLIT, 1],
  );
});

test('a file read only whole gets one split of all its bytes; a small one may be packed whole', () => {
  const files = [
    { path: 'stream', size: 1000, splittable: false },
    { path: 'a', size: 4 },
    { path: 'small-stream', size: 5, splittable: false },
    { path: 'b', size: 1 },
    { path: 'slop-stream', size: 10, splittable: false },
  ];
  assert.deepEqual(split(files, 10).map(short), ['stream@0+1000', 'a@0+4 small-stream@0+5 b@0+1', 'slop-stream@0+10']);
});

test('files with a location are never packed, each split carries it, and the plan tells it cheaply', () => {
  const files = [
    { path: 'a', size: 1 },
    { path: 'mr-part-0', size: 2, location: 'w1' },
    { path: 'mr-part-1', size: 2, location: 'w2' },
    { path: 'b', size: 1 },
    { path: 'mr-part-2', size: 25, location: 'w3' },
    { path: 'c', size: 1 },
  ];
  const plan = new SplitPlan(files, 10);
  assert.deepEqual(plan.all().map(short), [
    'a@0+1',
    'mr-part-0@0+2',
    'mr-part-1@0+2',
    'b@0+1',
    'mr-part-2@0+10',
    'mr-part-2@10+10',
    'mr-part-2@20+5',
    'c@0+1',
  ]);
  const where = [undefined, 'w1', 'w2', undefined, 'w3', 'w3', 'w3', undefined];
  assert.deepEqual(
    plan.all().map((s) => s.location),
    where,
  );
  assert.deepEqual(
    Array.from({ length: plan.count }, (_, i) => plan.location(i)),
    where,
  );
});

/** Checks that a plan's pieces cover every byte of every file exactly once, in order, within the bounds. */
function checkCover(files: readonly InputFile[], chunkSize: number, pack: boolean): void {
  const splits = split(files, { chunkSize, pack });
  for (const s of splits) {
    assert.ok(s.pieces.length >= 1 && s.pieces.length <= MAX_PIECES_PER_SPLIT);
    assert.equal(
      s.length,
      s.pieces.reduce((n, p) => n + p.length, 0),
    );
    if (s.pieces.length > 1) {
      assert.ok(pack, 'packed without packing');
      assert.ok(s.length <= chunkSize, `packed split of ${s.length} > ${chunkSize}`);
      assert.ok(s.pieces.every((p) => p.start === 0 && p.length === p.fileSize));
      assert.ok(s.location === undefined);
    }
  }
  const pieces = splits.flatMap((s) => s.pieces);
  let i = 0;
  for (const file of files) {
    // This file's pieces come next, contiguous from byte 0 to its size (one empty piece if empty).
    let next = 0;
    do {
      const p = pieces[i++];
      assert.ok(p, `no piece of ${file.path}`);
      assert.equal(p.path, file.path);
      assert.equal(p.start, next);
      assert.equal(p.fileSize, file.size);
      next += p.length;
    } while (next < file.size);
    assert.equal(next, file.size);
  }
  assert.equal(i, pieces.length, 'pieces beyond the files');
}

test('pieces cover every byte of every file exactly once, in order (random inputs)', () => {
  const rnd = mulberry32(7);
  for (let round = 0; round < 300; round++) {
    const chunkSize = 1 + Math.floor(rnd() * 60);
    const files = Array.from({ length: Math.floor(rnd() * 40) }, (_, i) => {
      const size = rnd() < 0.2 ? 0 : Math.floor(rnd() ** 2 * 200);
      const r = rnd();
      return r < 0.1
        ? { path: `f${i}`, size, splittable: false }
        : r < 0.2
          ? { path: `f${i}`, size, location: `w${i % 3}` }
          : { path: `f${i}`, size };
    });
    checkCover(files, chunkSize, true);
    checkCover(files, chunkSize, false);
  }
});

test('chunkSizeFor: a small input is cut for every slot, not below 64 KiB; a given chunk size wins', () => {
  const MiB = 1024 * 1024;
  const defaultSize = 64 * MiB;
  assert.equal(MIN_SLOT_CHUNK_SIZE, 64 * 1024);
  assert.equal(chunkSizeFor(10 * MiB, { defaultSize, slots: 4 }), 2.5 * MiB);
  assert.equal(chunkSizeFor(10 * MiB + 1, { defaultSize, slots: 4 }), 2.5 * MiB + 1);
  assert.equal(chunkSizeFor(10 * 1024, { defaultSize, slots: 4 }), MIN_SLOT_CHUNK_SIZE);
  assert.equal(chunkSizeFor(10_000 * MiB, { defaultSize, slots: 4 }), defaultSize);
  assert.equal(chunkSizeFor(10 * MiB, { defaultSize, slots: 0 }), defaultSize, 'no worker yet: the default');
  assert.equal(chunkSizeFor(10 * MiB, { requested: 8 * MiB, defaultSize, slots: 4 }), 8 * MiB);
  assert.equal(chunkSizeFor(10 * MiB, { requested: 4096, defaultSize, slots: 4 }), 4096);
});

test('planSplits gives at least as many splits as slots when the input allows it', () => {
  const defaultSize = 64 * 1024 * 1024;
  const rnd = mulberry32(3);
  for (const slots of [1, 2, 3, 7, 16, 64]) {
    // One file, and many files of random sizes, each large enough for every slot's 64 KiB.
    const one = [{ path: 'one', size: slots * MIN_SLOT_CHUNK_SIZE + Math.floor(rnd() * 50e6) }];
    const many = Array.from({ length: 300 }, (_, i) => ({ path: `f${i}`, size: Math.floor(rnd() * 200_000) }));
    for (const files of [one, many]) {
      const total = files.reduce((n, f) => n + f.size, 0);
      if (total < slots * MIN_SLOT_CHUNK_SIZE) continue;
      const plan = planSplits(files, { defaultSize, slots });
      assert.ok(
        plan.count >= slots,
        `${plan.count} splits for ${slots} slots, ${files.length} files of ${total} bytes`,
      );
    }
  }
  // A tiny input stays one task, and an explicit chunk size packs what fits it.
  const tiny = Array.from({ length: 50 }, (_, i) => ({ path: `t${i}`, size: 100 }));
  assert.equal(planSplits(tiny, { defaultSize, slots: 8 }).count, 1);
  assert.equal(planSplits(tiny, { requested: 1000, defaultSize, slots: 8 }).count, 5);
  assert.equal(planSplits(tiny, { defaultSize, slots: 8 }, false).count, 50);
});

setFlagsFromString('--expose-gc');

test('a plan of 100,000 files costs a few numbers per file, none per split', () => {
  const files = Array.from({ length: 100_000 }, (_, i) => ({ path: `/data/in/part-${i}.txt`, size: 1 + (i % 5000) }));
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const packed = new SplitPlan(files, 64 * 1024);
  const cut = new SplitPlan(files, 4096);
  gc();
  const grew = process.memoryUsage().heapUsed - before;
  assert.ok(cut.count > 80_000 && packed.count < 10_000, `${cut.count} and ${packed.count} splits`);
  // Two Float64Arrays of 100,001 entries are 1.6 MB; a split object each would be tens of MB.
  assert.ok(grew < 4 * 1024 * 1024, `the plans took ${grew} bytes`);
  assert.equal(packed.split(packed.count - 1).pieces.at(-1)?.path, '/data/in/part-99999.txt');
  assert.equal(cut.split(cut.count - 1).pieces[0]?.path, '/data/in/part-99999.txt');
});

test('a file that is not splittable gets one split, also when its size is unknown (Infinity: read to the end)', () => {
  const files = [
    { path: 'a', size: 25 },
    { path: 'whole', size: 1000, splittable: false },
    { path: 'unsized', size: Infinity, splittable: false },
    { path: 'b', size: 10 },
  ];
  assert.deepEqual(split(files, { chunkSize: 10, pack: false }).map(short), [
    'a@0+10',
    'a@10+10',
    'a@20+5',
    'whole@0+1000',
    'unsized@0+Infinity',
    'b@0+10',
  ]);
  // Only an unsplittable file may be of unknown size: a splittable one must be cut by its size.
  assert.throws(() => splitInputs([{ path: 'x', size: Infinity }], 10), /files\[0\]\.size \(x\)/);
});
