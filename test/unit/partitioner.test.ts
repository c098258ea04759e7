import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeKey } from '../../proto/formats/index.js';
import { hashPartition } from '../../proto/formats/index.js';
import { mulberry32 } from '../helpers/corpus.js';

// An independent reference in BigInt arithmetic, so a slip in the Math.imul/>>> code
// of the real one (a lost `>>> 0`, a signed modulo) shows up as a mismatch.
const MASK = 0xffffffffn;

function fnv1aReference(bytes: Uint8Array): bigint {
  let h = 0x811c9dc5n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x01000193n) & MASK;
  return h;
}

function fmix32Reference(h: bigint): bigint {
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & MASK;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & MASK;
  h ^= h >> 16n;
  return h;
}

function referencePartition(bytes: Uint8Array, partitions: number): number {
  return Number(fmix32Reference(fnv1aReference(bytes)) % BigInt(partitions));
}

describe('hashPartition', () => {
  it('uses a correct FNV-1a reference (published test vectors)', () => {
    assert.equal(fnv1aReference(Buffer.from('')), 0x811c9dc5n);
    assert.equal(fnv1aReference(Buffer.from('a')), 0xe40c292cn);
    assert.equal(fnv1aReference(Buffer.from('foobar')), 0xbf9cf968n);
  });

  it('is FNV-1a then fmix32, on the unsigned value', () => {
    const rand = mulberry32(42);
    for (let n = 0; n < 2000; n++) {
      const bytes = new Uint8Array(Math.floor(rand() * 40));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
      for (const partitions of [1, 2, 3, 7, 1000, 2 ** 31 + 11, 2 ** 32]) {
        assert.equal(hashPartition(bytes, partitions), referencePartition(bytes, partitions));
      }
    }
  });

  it('is pinned: these values must never change, or keys move between reducers across versions', () => {
    assert.equal(hashPartition(new Uint8Array(0), 2 ** 32), 2872998923);
    const keys = ['', 'a', 'hello', 'the quick brown fox', ['user', 42]] as const;
    assert.deepEqual(
      keys.map((k) => hashPartition(encodeKey(k), 2 ** 32)),
      [403790327, 3674268000, 120396963, 2358743791, 3877678969],
    );
    assert.deepEqual(
      keys.map((k) => hashPartition(encodeKey(k), 1000)),
      [327, 0, 963, 791, 969],
    );
  });

  it('stays in [0, R), is deterministic, and gives 0 for R = 1', () => {
    const rand = mulberry32(1);
    for (let n = 0; n < 5000; n++) {
      const key = encodeKey([n, String(rand())]);
      const partitions = 1 + Math.floor(rand() * 50);
      const p = hashPartition(key, partitions);
      assert.ok(Number.isInteger(p) && p >= 0 && p < partitions, `${p} of ${partitions}`);
      assert.equal(hashPartition(Buffer.from(key), partitions), p);
      assert.equal(hashPartition(new Uint8Array(key), partitions), p);
      assert.equal(hashPartition(key, 1), 0);
    }
  });

  for (const partitions of [4, 7]) {
    it(`spreads 100k distinct string keys evenly over ${partitions} partitions (each within 5% of the mean)`, () => {
      const counts = new Array<number>(partitions).fill(0);
      const total = 100_000;
      for (let i = 0; i < total; i++) {
        const p = hashPartition(encodeKey(`key-${i}`), partitions);
        counts[p] = (counts[p] as number) + 1;
      }
      const mean = total / partitions;
      for (const count of counts) {
        assert.ok(Math.abs(count - mean) <= mean * 0.05, `counts ${counts.join(', ')} against mean ${mean}`);
      }
    });
  }

  it('rejects a bad partition count', () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity, 2 ** 32 + 1]) {
      assert.throws(() => hashPartition(Buffer.from('x'), bad), {
        name: 'RangeError',
        message: /^partitions must be an integer from 1 to 2\^32; got /,
      });
    }
  });
});
