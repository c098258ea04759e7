import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecordArena } from '../../worker/index.js';
import { SlabCache } from '../../worker/index.js';

function drain(arena: RecordArena, partition: number): string[] {
  const source = arena.sortedPartition(partition);
  const out: string[] = [];
  while (source.next()) out.push(`${source.key.toString()}=${source.value.toString()}`);
  return out;
}

describe('SlabCache', () => {
  it('hands back the slab it was given, and a new one when empty', () => {
    const cache = new SlabCache(1024);
    const a = cache.take(256);
    assert.equal(a.length, 256);
    cache.give(a);
    assert.equal(cache.bytes, 256);
    assert.equal(cache.take(256), a);
    assert.equal(cache.bytes, 0);
    assert.notEqual(cache.take(256), a);
  });

  it('keeps at most maxBytes, and only slabs of one size', () => {
    const cache = new SlabCache(512);
    for (let i = 0; i < 3; i++) cache.give(Buffer.alloc(256));
    assert.equal(cache.bytes, 512, 'the third slab is over the bound');
    cache.give(Buffer.alloc(128));
    assert.equal(cache.bytes, 128, 'a slab of another size replaces the cached ones');
    const fresh = cache.take(256);
    assert.equal(fresh.length, 256);
    assert.equal(cache.bytes, 128);
    assert.equal(new SlabCache(0).bytes, 0);
    const none = new SlabCache(0);
    none.give(Buffer.alloc(16));
    assert.equal(none.bytes, 0);
    assert.throws(() => new SlabCache(-1), /maxBytes must be an integer >= 0/);
  });

  it('lets the next arena reuse a released arena slab without seeing its records', () => {
    const cache = new SlabCache(4096);
    const first = new RecordArena(2, 1024, cache);
    for (let i = 0; i < 20; i++) first.add(i % 2, Buffer.from(`old-${i}`), Buffer.from('x'.repeat(20)));
    // A record bigger than a slab gets its own, which is not cached.
    first.add(0, Buffer.from('huge'), Buffer.alloc(2000));
    assert.equal(drain(first, 1).length, 10);
    first.release();
    assert.equal(cache.bytes, 1024, 'the one regular slab went back');

    const second = new RecordArena(2, 1024, cache);
    second.add(1, Buffer.from('b'), Buffer.from('2'));
    second.add(1, Buffer.from('a'), Buffer.from('1'));
    assert.equal(cache.bytes, 0, 'the second arena took the cached slab');
    assert.deepEqual(drain(second, 0), []);
    assert.deepEqual(drain(second, 1), ['a=1', 'b=2']);
    second.release();
    assert.equal(cache.bytes, 1024);
  });
});
