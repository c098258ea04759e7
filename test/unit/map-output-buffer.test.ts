import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { encodeKey } from '../../proto/formats/index.js';
import { encodeValue } from '../../proto/formats/index.js';
import { hashPartition } from '../../proto/formats/index.js';
import type { Key } from '../../proto/formats/index.js';
import { MapOutputBuffer } from '../../worker/index.js';
import { openPartition, readMapOutputIndex } from '../../proto/formats/index.js';
import type { ByteCombiner, MapOutputOptions } from '../../worker/index.js';
import type { MapOutputFile } from '../../proto/formats/index.js';
import { mulberry32 } from '../helpers/corpus.js';

type Rec = [key: Buffer, value: Buffer];
type Added = { partition: number; key: Buffer; value: Buffer };

function withTempDir(fn: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-map-output-'));
  try {
    fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** FNV-1a, so a key always lands in the same partition. */
function partitionOf(key: Buffer, partitions: number): number {
  let h = 0x811c9dc5;
  for (const b of key) h = Math.imul(h ^ b, 0x01000193);
  return (h >>> 0) % partitions;
}

/**
 * Records over a pool of keys (so keys repeat); values are random bytes, or 4-byte ints.
 * The pool mixes short strings, keys sharing long prefixes (so comparisons go past any
 * cached prefix and into the native compare), and keys over a few edge bytes (0x00, 0x7f,
 * 0x80, 0xff) where one key is often a prefix of another.
 */
function randomRecords(seed: number, n: number, partitions: number, intValues: boolean): Added[] {
  const rand = mulberry32(seed);
  const pool: Buffer[] = [];
  const edge = [0x00, 0x01, 0x7f, 0x80, 0xff];
  for (let i = 0; i < 1500; i++) {
    const family = i % 3;
    let key: Buffer;
    if (family === 0) {
      let s = '';
      const len = Math.floor(rand() * 12);
      for (let c = 0; c < len; c++) s += String.fromCharCode(97 + Math.floor(rand() * 26));
      key = Buffer.from(s);
    } else if (family === 1) {
      const shared = Math.floor(rand() * 40);
      const tail = Buffer.from(String(Math.floor(rand() * 300)));
      key = Buffer.concat([Buffer.alloc(shared, 0x61), tail]);
    } else {
      const len = Math.floor(rand() * 12);
      key = Buffer.alloc(len);
      for (let c = 0; c < len; c++) key[c] = edge[Math.floor(rand() * edge.length)] as number;
    }
    pool.push(key);
  }
  const out: Added[] = [];
  for (let i = 0; i < n; i++) {
    const key = pool[Math.floor(rand() * pool.length)] as Buffer;
    let value: Buffer;
    if (intValues) {
      value = Buffer.alloc(4);
      value.writeInt32LE(Math.floor(rand() * 1000) - 100);
    } else {
      value = Buffer.from(`${i}:${'v'.repeat(Math.floor(rand() * 20))}`);
    }
    out.push({ partition: partitionOf(key, partitions), key, value });
  }
  return out;
}

/** The expected output computed in memory: per partition, a stable sort by key (insertion order for equal keys). */
function referenceSorted(records: readonly Added[], partitions: number): Rec[][] {
  const parts: Rec[][] = Array.from({ length: partitions }, () => []);
  for (const r of records) (parts[r.partition] as Rec[]).push([r.key, r.value]);
  for (const part of parts) part.sort((a, b) => Buffer.compare(a[0], b[0]));
  return parts;
}

/** The expected output with the summing combiner: per partition, each distinct key once with its sum. */
function referenceSummed(records: readonly Added[], partitions: number): Rec[][] {
  return referenceSorted(records, partitions).map((part) => {
    const out: Rec[] = [];
    for (const [k, v] of part) {
      const last = out[out.length - 1];
      if (last && last[0].equals(k)) last[1].writeInt32LE(last[1].readInt32LE(0) + v.readInt32LE(0));
      else out.push([k, Buffer.from(v)]);
    }
    return out;
  });
}

const sumCombiner: ByteCombiner = (key, values, emit) => {
  let sum = 0;
  for (const v of values) sum += v.readInt32LE(0);
  const out = Buffer.alloc(4);
  out.writeInt32LE(sum);
  emit(key, out);
};

function run(records: readonly Added[], options: MapOutputOptions): MapOutputFile {
  const buffer = new MapOutputBuffer(options);
  for (const r of records) buffer.add(r.partition, r.key, r.value);
  return buffer.finish();
}

function readPartitions(file: MapOutputFile): Rec[][] {
  const parts: Rec[][] = [];
  for (let p = 0; p < file.offsets.length - 1; p++) {
    const reader = openPartition(file, p);
    const part: Rec[] = [];
    while (reader.next()) part.push([Buffer.from(reader.key), Buffer.from(reader.value)]);
    reader.close();
    parts.push(part);
  }
  return parts;
}

/** Offsets, the index trailer, record count and directory contents all agree. */
function checkOutput(dir: string, file: MapOutputFile, partitions: number, parts: Rec[][]): void {
  assert.equal(file.dataPath, path.join(dir, 'output.data'));
  assert.equal(file.offsets.length, partitions + 1);
  assert.equal(file.offsets[0], 0);
  for (let p = 0; p < partitions; p++) assert.ok((file.offsets[p] as number) <= (file.offsets[p + 1] as number));
  assert.equal(file.offsets[partitions], file.bytes);
  assert.ok(fs.statSync(file.dataPath).size > file.bytes, 'the index follows the records');
  assert.equal(
    file.records,
    parts.reduce((n, part) => n + part.length, 0),
  );
  assert.deepEqual(readMapOutputIndex(dir), file);
  assert.deepEqual(fs.readdirSync(dir), ['output.data'], 'one file: spill files are removed, the index is inside');
}

test('many spills without a combiner: each partition equals a stable in-memory sort', () => {
  const R = 4;
  const records = randomRecords(1, 20_000, R, false);
  const expected = referenceSorted(records, R);
  withTempDir((dir) => {
    const file = run(records, { partitions: R, bufferBytes: 4096, dir });
    assert.ok(file.spills > 64, `spills ${file.spills} (more than one merge factor, so an intermediate merge ran)`);
    const parts = readPartitions(file);
    assert.deepEqual(parts, expected);
    checkOutput(dir, file, R, parts);
  });
});

test('many spills with a summing combiner: one record per key with the sum', () => {
  const R = 3;
  const records = randomRecords(2, 20_000, R, true);
  const expected = referenceSummed(records, R);
  withTempDir((dir) => {
    const file = run(records, { partitions: R, bufferBytes: 4096, dir, combiner: sumCombiner });
    assert.ok(file.spills > 1, `spills ${file.spills}`);
    const parts = readPartitions(file);
    assert.deepEqual(parts, expected);
    checkOutput(dir, file, R, parts);
  });
});

test('a small merge factor (many merge passes) gives the same output', () => {
  const R = 5;
  for (const combiner of [undefined, sumCombiner]) {
    const records = randomRecords(3, 3000, R, true);
    const expected = combiner ? referenceSummed(records, R) : referenceSorted(records, R);
    withTempDir((dir) => {
      const file = run(records, { partitions: R, bufferBytes: 1024, dir, combiner, mergeFactor: 3 });
      assert.ok(file.spills > 3, `spills ${file.spills}`);
      const parts = readPartitions(file);
      assert.deepEqual(parts, expected);
      checkOutput(dir, file, R, parts);
    });
  }
});

test('a few spills and a remainder: the last buffer is merged from memory, after the runs (ties keep insertion order)', () => {
  const R = 3;
  for (const combiner of [undefined, sumCombiner]) {
    const records = randomRecords(5, 6000, R, true);
    const expected = combiner ? referenceSummed(records, R) : referenceSorted(records, R);
    withTempDir((dir) => {
      // About 40 bytes a record: a 64 KiB buffer spills a few times and ends part full.
      const file = run(records, { partitions: R, bufferBytes: 64 * 1024, dir, combiner });
      assert.ok(file.spills >= 2 && file.spills < 64, `spills ${file.spills}`);
      const parts = readPartitions(file);
      assert.deepEqual(parts, expected);
      checkOutput(dir, file, R, parts);
    });
  }
});

test('no spill when everything fits: the sorted buffer is written straight out', () => {
  const R = 7;
  for (const combiner of [undefined, sumCombiner]) {
    const records = randomRecords(4, 5000, R, true);
    const expected = combiner ? referenceSummed(records, R) : referenceSorted(records, R);
    withTempDir((dir) => {
      const file = run(records, { partitions: R, bufferBytes: 64 * 1024 * 1024, dir, combiner });
      assert.equal(file.spills, 0);
      const parts = readPartitions(file);
      assert.deepEqual(parts, expected);
      checkOutput(dir, file, R, parts);
    });
  }
});

test('records bigger than a slab, empty keys and values, empty partitions', () => {
  withTempDir((dir) => {
    const big = Buffer.alloc(100_000, 9);
    const records: Added[] = [
      { partition: 1, key: Buffer.from('m'), value: big },
      { partition: 1, key: Buffer.alloc(0), value: Buffer.alloc(0) },
      { partition: 1, key: big.subarray(0, 50_000), value: Buffer.from('bigkey') },
      { partition: 3, key: Buffer.from('a'), value: Buffer.from('1') },
      { partition: 1, key: Buffer.from('m'), value: Buffer.from('second') },
    ];
    for (const bufferBytes of [10, 1 << 20]) {
      const file = run(records, { partitions: 4, bufferBytes, dir });
      const parts = readPartitions(file);
      assert.deepEqual(parts, referenceSorted(records, 4));
      assert.equal(file.offsets[0], file.offsets[1], 'partition 0 is empty');
      checkOutput(dir, file, 4, parts);
    }
  });
});

test('an index longer than the tail read at the end of the data file still reads back', () => {
  const R = 5000;
  const records: Added[] = [];
  for (let p = 0; p < R; p++)
    records.push({ partition: p, key: Buffer.from(`key-${p}`), value: Buffer.from(`value-${p}`) });
  withTempDir((dir) => {
    const file = run(records, { partitions: R, bufferBytes: 1 << 20, dir });
    assert.ok(fs.statSync(file.dataPath).size - file.bytes > 16 * 1024, 'the index is over 16 KiB');
    checkOutput(dir, file, R, readPartitions(file));
  });
});

test('no records at all: an empty output with all offsets 0', () => {
  withTempDir((dir) => {
    const file = new MapOutputBuffer({ partitions: 3, bufferBytes: 100, dir }).finish();
    assert.deepEqual(file, {
      dataPath: path.join(dir, 'output.data'),
      offsets: [0, 0, 0, 0],
      records: 0,
      bytes: 0,
      spills: 0,
    });
    checkOutput(dir, file, 3, [[], [], []]);
  });
});

test('a combiner may drop records; one that changes keys fails and leaves no spill files', () => {
  const records = randomRecords(5, 2000, 2, true);
  withTempDir((dir) => {
    const file = run(records, { partitions: 2, bufferBytes: 1024, dir, combiner: () => {} });
    assert.equal(file.records, 0);
    checkOutput(dir, file, 2, [[], []]);
  });
  withTempDir((dir) => {
    const rename: ByteCombiner = (key, values, emit) => {
      for (const v of values) emit(Buffer.concat([key, Buffer.from('!')]), v);
    };
    const buffer = new MapOutputBuffer({ partitions: 2, bufferBytes: 1 << 20, dir, combiner: rename });
    for (const r of records) buffer.add(r.partition, r.key, r.value);
    assert.throws(() => buffer.finish(), /combiner emitted a key other than/);
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.throws(() => buffer.add(0, Buffer.from('k'), Buffer.from('v')), /failed/);
  });
  withTempDir((dir) => {
    const failing = new MapOutputBuffer({ partitions: 1, bufferBytes: 1024, dir, combiner: () => assert.fail('boom') });
    assert.throws(() => {
      for (let j = 0; j < 1000; j++) failing.add(0, Buffer.from('k'), Buffer.alloc(4));
    }, /boom/);
    assert.deepEqual(fs.readdirSync(dir), [], 'a spill that failed in add() leaves no run file');
    assert.throws(() => failing.add(0, Buffer.from('k'), Buffer.alloc(4)), /failed/);
  });
});

test('options and arguments are validated with messages naming them', () => {
  withTempDir((dir) => {
    assert.throws(() => new MapOutputBuffer({ partitions: 0, bufferBytes: 1, dir }), {
      name: 'RangeError',
      message: /partitions/,
    });
    assert.throws(() => new MapOutputBuffer({ partitions: 1.5, bufferBytes: 1, dir }), {
      name: 'RangeError',
      message: /partitions/,
    });
    assert.throws(() => new MapOutputBuffer({ partitions: 1, bufferBytes: 0, dir }), {
      name: 'RangeError',
      message: /bufferBytes/,
    });
    assert.throws(() => new MapOutputBuffer({ partitions: 1, bufferBytes: 1, dir, mergeFactor: 1 }), {
      name: 'RangeError',
      message: /mergeFactor/,
    });
    assert.throws(() => new MapOutputBuffer({ partitions: 1, bufferBytes: 1, dir: 42 as unknown as string }), {
      name: 'TypeError',
      message: /dir/,
    });
    assert.throws(() => new MapOutputBuffer({ partitions: 1, bufferBytes: 1, dir: path.join(dir, 'missing') }), {
      name: 'TypeError',
      message: /dir/,
    });
    assert.throws(
      () => new MapOutputBuffer({ partitions: 1, bufferBytes: 1, dir, combiner: 'sum' as unknown as ByteCombiner }),
      {
        name: 'TypeError',
        message: /combiner/,
      },
    );
    const buffer = new MapOutputBuffer({ partitions: 2, bufferBytes: 100, dir });
    assert.throws(() => buffer.add(2, Buffer.from('k'), Buffer.from('v')), RangeError);
    assert.throws(() => buffer.add(-1, Buffer.from('k'), Buffer.from('v')), RangeError);
    buffer.add(1, Buffer.from('k'), Buffer.from('v'));
    const file = buffer.finish();
    assert.throws(() => buffer.finish(), /finished/);
    assert.throws(() => buffer.add(0, Buffer.from('k'), Buffer.from('v')), /finished/);
    assert.throws(() => openPartition(file, 2), RangeError);
    const dataPath = path.join(dir, 'output.data');
    const good = fs.readFileSync(dataPath);
    assert.deepEqual(readMapOutputIndex(dir), file);
    /** A data file of `records` bytes of records followed by an index trailer holding `index`. */
    const withIndex = (records: number, index: string, length = Buffer.byteLength(index)): Buffer => {
      const footer = Buffer.alloc(16);
      footer.writeUInt32LE(length, 0);
      footer.writeUInt32LE(zlib.crc32(Buffer.from(index)), 4);
      footer.write('GRVMOIX2', 8, 'latin1');
      return Buffer.concat([Buffer.alloc(records), Buffer.from(index), footer]);
    };
    fs.writeFileSync(dataPath, 'x');
    assert.throws(
      () => readMapOutputIndex(dir),
      /output.data: invalid map output index: the file has 1 bytes, too few/,
    );
    fs.writeFileSync(dataPath, good.subarray(0, good.length - 1));
    assert.throws(() => readMapOutputIndex(dir), /invalid map output index: the file does not end with an index/);
    fs.writeFileSync(dataPath, withIndex(3, '{"offsets": [0, 5, 3]'));
    assert.throws(() => readMapOutputIndex(dir), /invalid map output index: not JSON/);
    fs.writeFileSync(dataPath, withIndex(3, '{"offsets": [0, 5, 3], "records": 1, "bytes": 3, "spills": 0}'));
    assert.throws(() => readMapOutputIndex(dir), /offsets\[2\]/);
    fs.writeFileSync(dataPath, withIndex(4, '{"offsets": [0, 1, 3], "records": 1, "bytes": 3, "spills": 0}'));
    assert.throws(() => readMapOutputIndex(dir), /the file has 81 bytes, its index says 80 \(3 of records\)/);
    fs.writeFileSync(dataPath, withIndex(0, '{}', 1000));
    assert.throws(() => readMapOutputIndex(dir), /an index of 1000 bytes does not fit/);
  });
});

test('addPair gives the bytes of add with encodeKey and encodeValue: strings and numbers encoded in place, after string and composite keys alike, the rest through the codecs', () => {
  const random = mulberry32(21);
  const strings = [
    '',
    'a',
    'x'.repeat(31),
    'x'.repeat(32),
    '€'.repeat(11),
    'y'.repeat(255),
    'y'.repeat(256),
    'z'.repeat(70_000),
    'naïve 😀',
    'lone \ud800',
    'tab\tnul\0',
  ];
  const others: unknown[] = [
    0,
    -1.5,
    300,
    -70_000,
    2 ** 40,
    null,
    true,
    [1, 'a'],
    { k: 'v' },
    2n ** 70n,
    Buffer.from([1, 2]),
  ];
  const values = Array.from({ length: 5000 }, (_, i) =>
    random() < 0.7 ? (strings[i % strings.length] as string) + String(i % 7) : others[i % others.length],
  );
  // Mostly short string keys; some long, some with a NUL (escaped by the codec), some not
  // strings (chosen at random, so composite keys meet every kind of value).
  const keyOf = (i: number): Key => {
    const n = Math.floor(random() * 500);
    const r = random();
    if (r < 0.1) return ['t', n];
    if (r < 0.15) return [`w${n % 7}`, 'z'.repeat(n % 40)];
    if (r < 0.17) return n;
    if (i % 13 === 0) return `nul\0${n}`;
    return i % 5 === 0 ? `${'long-key-'.repeat(20)}${n}` : `key-${n}`;
  };
  const keys = values.map((_, i) => keyOf(i));
  withTempDir((dir) => {
    const outputs = ['add', 'addPair'].map((how) => {
      const sub = path.join(dir, how);
      fs.mkdirSync(sub);
      // A small buffer: spills, merges, the last buffer from memory, and records bigger than a slab.
      const buffer = new MapOutputBuffer({ partitions: 3, bufferBytes: 64 * 1024, dir: sub });
      values.forEach((value, i) => {
        const key = keys[i] as Key;
        // Every other record in a given partition, the rest in its hash partition.
        const given = i % 2 === 0 ? i % 3 : undefined;
        const k = encodeKey(key);
        if (how === 'add') buffer.add(given ?? hashPartition(k, 3), k, encodeValue(value));
        else buffer.addPair(given, key, value);
      });
      const file = buffer.finish();
      assert.ok(file.spills > 0);
      return fs.readFileSync(file.dataPath);
    });
    // Compared as bytes: a diff of two large Buffers would not fit in the test's heap.
    const [byAdd, byPair] = outputs as [Buffer, Buffer];
    assert.equal(byPair.length, byAdd.length, 'output sizes');
    assert.ok(byPair.equals(byAdd), 'addPair wrote other bytes than add');
  });
});

test('combinerKeepsSingles: a key with one record is copied without the combiner, keys with more go through it', () => {
  // Many distinct keys (most of them once) and a few repeated ones, keys sharing 8-byte
  // prefixes among them: the arena's look-ahead must tell them apart byte by byte.
  const rand = mulberry32(41);
  const records: Added[] = [];
  for (let i = 0; i < 3000; i++) {
    const key = Buffer.from(
      rand() < 0.3 ? `common-prefix-${Math.floor(rand() * 40)}` : `k${Math.floor(rand() * 5000)}`,
    );
    const value = Buffer.alloc(4);
    value.writeInt32LE(Math.floor(rand() * 1000));
    records.push({ partition: partitionOf(key, 3), key, value });
  }
  for (const bufferBytes of [1 << 20, 4096]) {
    withTempDir((dir) => {
      let calls = 0;
      let singles = 0;
      // A combiner that sums: its output is the same whether singles skip it or not.
      const counted: ByteCombiner = (key, values, emit) => {
        const all = [...values].map((v) => Buffer.from(v));
        calls++;
        if (all.length === 1) singles++;
        sumCombiner(key, all, emit);
      };
      const options = { partitions: 3, bufferBytes, dir, combiner: counted, combinerKeepsSingles: true };
      const file = run(records, options);
      const expected = referenceSummed(records, 3);
      assert.deepEqual(readPartitions(file), expected);
      checkOutput(dir, file, 3, expected);
      if (bufferBytes === 1 << 20) {
        // No spill: the whole output came from the sorted buffer, which can look ahead.
        assert.equal(file.spills, 0);
        assert.equal(singles, 0, 'no key of one record reached the combiner');
        const multi = new Map<string, number>();
        for (const r of records) multi.set(r.key.toString(), (multi.get(r.key.toString()) ?? 0) + 1);
        assert.equal(calls, [...multi.values()].filter((n) => n > 1).length);
      }
    });
  }
});
