import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordFileReader, RecordFileWriter } from '../../proto/formats/index.js';
import { RecordArena } from '../../worker/index.js';
import { mulberry32 } from '../helpers/corpus.js';

type Rec = [key: Buffer, value: Buffer];

/** Keys built to hit every case of the sort: zero-padding ties, shared 8-byte prefixes, duplicates, empty keys. */
function keys(count: number, seed: number): Buffer[] {
  const random = mulberry32(seed);
  const byte = (): number => [0x00, 0x01, 0x7f, 0x80, 0xff, 0x41][Math.floor(random() * 6)] as number;
  const shared = Buffer.from('prefix::');
  return Array.from({ length: count }, () => {
    const kind = random();
    const length = Math.floor(random() * 14);
    const tail = Buffer.from(Array.from({ length }, byte));
    if (kind < 0.3) return Buffer.concat([shared, tail]);
    if (kind < 0.4) return Buffer.from(Array.from({ length: Math.floor(random() * 4) }, () => 0));
    if (kind < 0.5)
      return Buffer.from(Array.from({ length: 40 }, () => 0x41)).subarray(0, 30 + Math.floor(random() * 10));
    return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
  });
}

/** Stable reference order: key bytes, then insertion. */
function expected(records: readonly Rec[]): Rec[] {
  return records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r[0].compare(b.r[0]) || a.i - b.i)
    .map(({ r }) => r);
}

function drain(arena: RecordArena, partition: number): Rec[] {
  const out: Rec[] = [];
  const source = arena.sortedPartition(partition);
  while (source.next()) out.push([Buffer.from(source.key), Buffer.from(source.value)]);
  return out;
}

describe('RecordArena sorting', () => {
  for (const count of [1, 100, 4095, 4096, 30_000]) {
    it(`sorts ${count} records of every shape by key bytes, equal keys in insertion order`, () => {
      const arena = new RecordArena(2, 64 * 1024);
      const records: Rec[][] = [[], []];
      keys(count, count).forEach((key, i) => {
        const value = Buffer.from(String(i));
        const p = i % 3 === 0 ? 1 : 0;
        arena.add(p, key, value);
        (records[p] as Rec[]).push([key, value]);
      });
      for (const p of [0, 1]) assert.deepEqual(drain(arena, p), expected(records[p] as Rec[]), `partition ${p}`);
      // Again after a clear, with the buffers and counters reused.
      arena.clear();
      const again: Rec[] = keys(count, count + 1).map((key, i) => [key, Buffer.from(`v${i}`)]);
      for (const [k, v] of again) arena.add(0, k, v);
      assert.deepEqual(drain(arena, 0), expected(again));
    });
  }

  it('sorts many copies of few keys stably', () => {
    const arena = new RecordArena(1, 1024 * 1024);
    const records: Rec[] = Array.from({ length: 20_000 }, (_, i) => [
      Buffer.from(['b', 'a', 'aa', 'a\0', ''][i % 5] as string),
      Buffer.from(String(i)),
    ]);
    for (const [k, v] of records) arena.add(0, k, v);
    assert.deepEqual(drain(arena, 0), expected(records));
  });
});

describe('RecordArena.writeSortedPartition', () => {
  it('writes the sorted records framed as a record file, values of every length class and records bigger than a slab included', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-arena-write-'));
    try {
      const random = mulberry32(3);
      const lengths = [0, 1, 16, 17, 127, 128, 300, 16_384, 70_000];
      // 4 KiB slabs: the 16 KiB and 70 KB values get slabs of their own.
      const arena = new RecordArena(2, 4096);
      const records: Rec[][] = [[], []];
      keys(3000, 9).forEach((key, i) => {
        const length =
          random() < 0.05 ? (lengths[Math.floor(random() * lengths.length)] as number) : Math.floor(random() * 40);
        const value = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
        const p = i % 2;
        arena.add(p, key, value);
        (records[p] as Rec[]).push([key, value]);
      });
      for (const p of [0, 1]) {
        const file = path.join(dir, `p${p}.data`);
        // A small write buffer: records straddle flushes, and the biggest go around it.
        const writer = RecordFileWriter.create(file, { bufferBytes: 1000 });
        assert.equal(arena.writeSortedPartition(p, writer), (records[p] as Rec[]).length);
        writer.close();
        const reader = RecordFileReader.open(file);
        const read: Rec[] = [];
        while (reader.next()) read.push([Buffer.from(reader.key), Buffer.from(reader.value)]);
        reader.close();
        assert.deepEqual(read, expected(records[p] as Rec[]), `partition ${p}`);
        // The views of sortedPartition agree with the framed bytes.
        assert.deepEqual(drain(arena, p), read);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
