import { describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as assert from 'node:assert/strict';
import { encodeKey, writeStringKeyAt } from '../../proto/formats/index.js';
import { encodeValue, scalarValueRoom, writeScalarValueAt } from '../../proto/formats/index.js';
import { hashPartition, hashPartitionOfRange } from '../../proto/formats/index.js';
import { RecordFileWriter } from '../../proto/formats/index.js';
import { RecordArena } from '../../worker/index.js';
import { mulberry32 } from '../helpers/corpus.js';

/** Strings around every MessagePack header boundary, in one, two, three and four UTF-8 bytes a character. */
function strings(): string[] {
  const out = ['', 'a', 'key', 'caf\u00e9', '\u20ac', '\u{1f600}', 'x\u{1f600}y', 'tab\there'];
  for (const n of [31, 32, 33, 85, 86, 255, 256, 257, 21_845, 21_846, 65_535, 65_536, 70_000]) {
    out.push('a'.repeat(n), '\u00e9'.repeat(n >> 1), '\u20ac'.repeat(Math.ceil(n / 3)), 'b'.repeat(n - 1) + '\u00e9');
  }
  return out;
}

function numbers(): number[] {
  const out = [
    0,
    -0,
    1,
    -1,
    127,
    128,
    -32,
    -33,
    255,
    256,
    -128,
    -129,
    65_535,
    65_536,
    -32_768,
    -32_769,
    2 ** 32 - 1,
    2 ** 32,
    -(2 ** 31),
    -(2 ** 31) - 1,
    0.5,
    -0.25,
    1e300,
    Number.MAX_SAFE_INTEGER,
    Infinity,
    -Infinity,
    NaN,
  ];
  const rnd = mulberry32(9);
  for (let i = 0; i < 2000; i++) {
    const n = Math.floor(rnd() * 2 ** Math.floor(rnd() * 40)) * (rnd() < 0.5 ? -1 : 1);
    out.push(n, n + rnd());
  }
  return out;
}

/** Writes with `write` at an odd offset of a dirty buffer and returns the bytes written. */
function inPlace(room: number, write: (buf: Buffer, offset: number) => number): Buffer | undefined {
  const buf = Buffer.alloc(room + 7, 0xee);
  const end = write(buf, 3);
  return end < 0 ? undefined : buf.subarray(3, end);
}

describe('encoding in place', () => {
  it('writes the same bytes as encodeValue for numbers and strings', () => {
    for (const v of [...numbers(), ...strings()]) {
      const bytes = inPlace(scalarValueRoom(v), (buf, at) => writeScalarValueAt(v, buf, at));
      assert.ok(bytes, String(v));
      assert.equal(
        bytes.toString('hex'),
        encodeValue(v).toString('hex'),
        typeof v === 'string' ? `string of ${v.length}` : String(v),
      );
    }
    for (const v of [null, true, [1], { a: 1 }, 2n]) assert.equal(scalarValueRoom(v), -1);
  });

  it('writes the same bytes as encodeKey for string keys, and refuses what needs escaping or rejecting', () => {
    for (const k of strings()) {
      const bytes = inPlace(3 * k.length + 2, (buf, at) => writeStringKeyAt(k, buf, at));
      assert.ok(bytes, k.slice(0, 10));
      assert.deepEqual(bytes, encodeKey(k));
    }
    for (const k of ['a\0b', '\0', 'lone \ud800 surrogate', '\udc00']) {
      assert.equal(
        inPlace(3 * k.length + 2, (buf, at) => writeStringKeyAt(k, buf, at)),
        undefined,
        JSON.stringify(k),
      );
    }
  });

  it('hashes a key inside a larger buffer as hashPartition hashes it alone', () => {
    for (const k of strings()) {
      const key = encodeKey(k);
      const buf = Buffer.concat([Buffer.from('xyz'), key, Buffer.from('!')]);
      for (const r of [1, 2, 7, 1000])
        assert.equal(hashPartitionOfRange(buf, 3, 3 + key.length, r), hashPartition(key, r));
    }
  });

  it('buffers encoded pairs exactly like their encodings added as bytes', () => {
    const rnd = mulberry32(4);
    const words = strings().filter((s) => s.length < 300);
    const direct = new RecordArena(3, 4096);
    const viaBytes = new RecordArena(3, 4096);
    for (let i = 0; i < 3000; i++) {
      const key = words[Math.floor(rnd() * words.length)] as string;
      const value = rnd() < 0.5 ? (words[Math.floor(rnd() * words.length)] as string) : Math.floor(rnd() * 1e6) - 5e5;
      // Both ways of choosing the partition: given, and the key's hash.
      const given = i % 2 === 0 ? i % 3 : -1;
      const bytes = direct.addEncoded(given, key, value, 3);
      assert.ok(bytes > 0);
      const k = encodeKey(key);
      const v = encodeValue(value);
      assert.equal(bytes, viaBytes.add(given < 0 ? hashPartition(k, 3) : given, k, v), 'both take the same bytes');
    }
    for (let p = 0; p < 3; p++) {
      const a = direct.sortedPartition(p);
      const got: string[] = [];
      while (a.next()) got.push(`${a.key.toString('hex')}:${a.value.toString('hex')}`);
      const b = viaBytes.sortedPartition(p);
      const want: string[] = [];
      while (b.next()) want.push(`${b.key.toString('hex')}:${b.value.toString('hex')}`);
      assert.deepEqual(got, want, `partition ${p}`);
      assert.ok(got.length > 100);
    }
    // Framed in the slabs alike: the sorted records copied whole make the same file.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-in-place-'));
    try {
      const files = [direct, viaBytes].map((arena, i) => {
        const file = path.join(dir, `run-${i}`);
        const writer = RecordFileWriter.create(file);
        for (let p = 0; p < 3; p++) arena.writeSortedPartition(p, writer);
        writer.close();
        return fs.readFileSync(file);
      });
      assert.ok((files[0] as Buffer).equals(files[1] as Buffer), 'run files differ');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves records that need the general path to it', () => {
    const arena = new RecordArena(1, 4096);
    assert.equal(arena.addEncoded(0, 'a\0b', 1, 1), -1);
    assert.equal(arena.addEncoded(0, 'k', 'v'.repeat(5000), 1), -1);
    assert.equal(arena.records, 0);
  });
});
