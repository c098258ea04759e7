import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ALIGNED_BLOCK_BYTES, AlignedBlockPool } from '../../worker/index.js';
import { BlockFileWriter } from '../../worker/index.js';

/** Bytes that differ at every offset of a block, so a block written twice or at the wrong place shows. */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** Feeds `data` to the writer the way a socket does: pieces of uneven sizes placed at space(). */
async function writeInPieces(writer: BlockFileWriter, data: Buffer, piece: number): Promise<number> {
  let pos = 0;
  let i = 0;
  while (pos < data.length) {
    const space = writer.space();
    const n = Math.min(space.length, data.length - pos, piece + (i++ % 7) * 1013);
    data.copy(space, 0, pos, pos + n);
    writer.advance(n);
    pos += n;
    if (writer.congested) await new Promise<void>((resolve) => (writer.onDrain = resolve));
  }
  return writer.close();
}

describe('BlockFileWriter', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-block-writer-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const direct of [true, false]) {
    it(`writes every size byte for byte, the file exactly as long (direct ${direct})`, async () => {
      const pool = new AlignedBlockPool(4);
      const sizes = [
        0,
        1,
        511,
        4095,
        4096,
        4097,
        ALIGNED_BLOCK_BYTES - 1,
        ALIGNED_BLOCK_BYTES,
        ALIGNED_BLOCK_BYTES + 1,
        3 * ALIGNED_BLOCK_BYTES + 12_345,
      ];
      for (const [i, size] of sizes.entries()) {
        const file = path.join(dir, `size-${direct}-${i}.data`);
        const data = pattern(size, i + 1);
        const writer = BlockFileWriter.create(file, { direct, pool, maxWritesInFlight: 2 });
        if (!direct) assert.equal(writer.direct, false);
        assert.equal(await writeInPieces(writer, data, 65_536 + i), size);
        const back = fs.readFileSync(file);
        assert.equal(back.length, size, `size ${size}`);
        assert.ok(back.equals(data), `size ${size}: contents differ`);
      }
    });
  }

  it('writes around the page cache on a filesystem that allows it', async () => {
    // The test directory is on the machine's disk (ext4 here and in CI), which allows O_DIRECT.
    const writer = BlockFileWriter.create(path.join(dir, 'direct.data'));
    assert.equal(writer.direct, true);
    assert.equal(await writer.close(), 0);
  });

  it('hands every block back once: writers one after another never share a block', async () => {
    const pool = new AlignedBlockPool(8);
    const files = [1, 7, ALIGNED_BLOCK_BYTES + 5, 2 * ALIGNED_BLOCK_BYTES, 100];
    const datas = files.map((n, i) => pattern(n, 50 + i));
    // Two writers at once, twice over, drawing on one pool.
    for (let round = 0; round < 2; round++) {
      await Promise.all(
        datas.map(async (data, i) => {
          const file = path.join(dir, `shared-${round}-${i}.data`);
          await writeInPieces(BlockFileWriter.create(file, { pool }), data, 100_000);
          assert.ok(fs.readFileSync(file).equals(data), `file ${i} of round ${round} differs`);
        }),
      );
    }
    const held = Array.from({ length: pool.freeBlocks }, () => pool.take());
    assert.ok(held.length > 0);
    for (const [i, a] of held.entries()) {
      for (const b of held.slice(i + 1))
        assert.ok(a.buffer !== b.buffer || a.byteOffset !== b.byteOffset, 'one block was kept twice');
    }
  });

  it('says when its writes are behind, and calls onDrain when one completes', async () => {
    const writer = BlockFileWriter.create(path.join(dir, 'congested.data'), { maxWritesInFlight: 1 });
    assert.equal(writer.congested, false);
    const block = writer.space();
    assert.equal(block.length, ALIGNED_BLOCK_BYTES);
    block.fill(3);
    const drained = new Promise<void>((resolve) => (writer.onDrain = resolve));
    writer.advance(block.length);
    assert.equal(writer.congested, true);
    await drained;
    assert.equal(writer.congested, false);
    assert.equal(await writer.close(), ALIGNED_BLOCK_BYTES);
  });

  it('reports a failed write from close, naming the file', async () => {
    // /dev/full takes the open and fails every write with ENOSPC.
    const writer = BlockFileWriter.create('/dev/full', { direct: false });
    writer.space().fill(1, 0, 10);
    writer.advance(10);
    await assert.rejects(writer.close(), /^Error: \/dev\/full: write failed: ENOSPC/);
  });

  it('refuses an advance past the block and a bad option', () => {
    const writer = BlockFileWriter.create(path.join(dir, 'bad.data'));
    assert.throws(() => writer.advance(ALIGNED_BLOCK_BYTES + 1), /advance\(1048577\) past the block/);
    assert.throws(
      () => BlockFileWriter.create(path.join(dir, 'bad2.data'), { maxWritesInFlight: 0 }),
      /maxWritesInFlight must be an integer >= 1/,
    );
    return writer.destroy();
  });
});

describe('AlignedBlockPool', () => {
  it('reuses blocks it was given and keeps at most keptBlocks', () => {
    const pool = new AlignedBlockPool(2);
    const a = pool.take();
    assert.equal(a.length, ALIGNED_BLOCK_BYTES);
    // Taking one block carves several out of one memory; the rest wait in the pool.
    assert.equal(pool.freeBlocks, 2);
    pool.give(a);
    assert.equal(pool.freeBlocks, 2, 'over the bound: left to the garbage collector');
    const none = new AlignedBlockPool(0);
    none.take();
    assert.equal(none.freeBlocks, 0);
    assert.throws(() => pool.give(Buffer.alloc(10)), /not a block of this pool/);
    assert.throws(() => new AlignedBlockPool(-1), /keptBlocks must be an integer >= 0/);
  });
});
