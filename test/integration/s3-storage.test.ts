import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createS3Storage, S3StorageError, storageFor } from '../../storage/index.js';
import type { Storage } from '../../storage/index.js';
import { boto, startS3Store } from '../helpers/s3-store.js';
import type { S3Store } from '../helpers/s3-store.js';

const BUCKET = 'groove-ops';
const MiB = 1024 * 1024;

/** Hidden and underscore names, as the input resolver skips them. */
const skipName = (name: string): boolean => name.startsWith('.') || name.startsWith('_');

/** Bytes that differ at every offset, so a read from the wrong place cannot match. */
function pattern(bytes: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 31 + seed + (i >> 8)) & 0xff;
  return b;
}

/** Asserts `p` rejects with a one-line S3StorageError of `code` whose message matches `re`. */
async function rejectsWith(p: Promise<unknown>, code: string, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof S3StorageError, String(err));
    assert.equal(err.code, code, err.message);
    assert.match(err.message, re);
    assert.ok(!err.message.includes('\n'), err.message);
    return true;
  });
}

/** Waits (polling the store: the upload is another process's state) until `bucket` has a multipart upload in progress. */
async function untilUploadInProgress(store: S3Store, bucket: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await boto(store, 'uploads', { bucket })).length === 0) {
    if (Date.now() > deadline) throw new Error('no multipart upload started');
  }
}

describe('the s3:// backend against a real store (Swift with s3api), checked with boto3', () => {
  let store: S3Store;
  let s3: Storage;
  const big = pattern(13 * MiB + 12345);

  before(async () => {
    store = await startS3Store();
    // This process is a client of the store like any other: the standard AWS variables.
    Object.assign(process.env, store.env);
    s3 = storageFor(`s3://${BUCKET}/`);
    await boto(store, 'createBucket', { bucket: BUCKET });
    await boto(store, 'putMany', {
      bucket: BUCKET,
      objects: [
        { key: 'in/a.txt', body: 'alpha\n' },
        { key: 'in/b.txt', body: 'beta beta\n' },
        { key: 'in/sub/c.txt', body: 'gamma\n' },
        { key: 'in/sub/', body: '' },
        { key: 'in/_SUCCESS', body: '' },
        { key: 'in/.hidden', body: 'no' },
        { key: 'in/_tmp/d.txt', body: 'no' },
        { key: 'in/sub/.e.txt', body: 'no' },
        { key: 'inside.txt', body: 'not under in/' },
        { key: 'data/pattern.bin', body: pattern(300_000) },
        { key: 'data/big.bin', body: big },
      ],
    });
  });
  after(async () => {
    await store?.stop();
  });

  it('stats objects and prefixes, and says which of bucket and key is missing, in one line', async () => {
    const a = await s3.stat(`s3://${BUCKET}/in/a.txt`);
    assert.deepEqual([a.kind, a.size, typeof a.mtimeMs, a.etag?.length], ['object', 6, 'number', 34]);
    assert.equal((await s3.stat(`s3://${BUCKET}/in`)).kind, 'directory');
    assert.equal((await s3.stat(`s3://${BUCKET}/in/`)).kind, 'directory');
    assert.equal((await s3.stat(`s3://${BUCKET}`)).kind, 'directory');
    // A prefix with nothing under it, in a bucket that exists: a directory the listing finds empty.
    assert.deepEqual(await s3.list(`s3://${BUCKET}/empty/`), []);
    await rejectsWith(
      s3.stat(`s3://${BUCKET}/in/nope.txt`),
      'ENOENT',
      /^s3:\/\/groove-ops\/in\/nope\.txt: no such key/,
    );
    await rejectsWith(s3.stat('s3://no-such-bucket/x.txt'), 'ENOENT', /no such bucket no-such-bucket$/);
    await rejectsWith(s3.stat('s3://no-such-bucket/x/'), 'ENOENT', /no such bucket no-such-bucket$/);
    await rejectsWith(s3.list('s3://no-such-bucket/x/'), 'ENOENT', /no such bucket no-such-bucket$/);
    await assert.rejects(s3.stat('s3:///key'), /s3:\/\/\/key: names no bucket/);
    await assert.rejects(s3.stat('s3://a/key'), /"a" is not a bucket name/);
  });

  it('lists every object under a prefix, skipped names left out at every level, folder markers too', async () => {
    const expected = [`s3://${BUCKET}/in/a.txt`, `s3://${BUCKET}/in/b.txt`, `s3://${BUCKET}/in/sub/c.txt`];
    for (const url of [`s3://${BUCKET}/in/`, `s3://${BUCKET}/in`]) {
      const listed = await s3.list(url, { skipName });
      assert.deepEqual(
        listed.map((e) => e.url),
        expected,
        url,
      );
      assert.deepEqual(
        listed.map((e) => e.size),
        [6, 10, 6],
      );
    }
    const all = (await s3.list(`s3://${BUCKET}/in/`)).map((e) => e.url.slice(`s3://${BUCKET}/in/`.length));
    assert.deepEqual(all, ['.hidden', '_SUCCESS', '_tmp/d.txt', 'a.txt', 'b.txt', 'sub/.e.txt', 'sub/c.txt']);
    // An object lists as itself; a limit stops the listing once passed.
    assert.deepEqual(
      (await s3.list(`s3://${BUCKET}/in/a.txt`)).map((e) => [e.url, e.size]),
      [[`s3://${BUCKET}/in/a.txt`, 6]],
    );
    assert.equal((await s3.list(`s3://${BUCKET}/in/`, { skipName, limit: 1 })).length, 2);
    // Page by page, the same answer as boto3's listing.
    const paged = await createS3Storage({ listPageSize: 2 }).list(`s3://${BUCKET}/`);
    const theirs = await boto(store, 'list', { bucket: BUCKET });
    assert.deepEqual(
      paged.map((e) => [e.url, e.size, e.etag]),
      theirs.filter((o) => !o.key.endsWith('/')).map((o) => [`s3://${BUCKET}/${o.key}`, o.size, o.etag]),
    );
  });

  it('reads ranges, the same bytes as boto3 reads; past the end reads nothing', async () => {
    const url = `s3://${BUCKET}/data/pattern.bin`;
    const whole = await boto(store, 'get', { bucket: BUCKET, key: 'data/pattern.bin' });
    assert.deepEqual(await s3.read(url), whole);
    const theirs = await boto(store, 'get', { bucket: BUCKET, key: 'data/pattern.bin', range: 'bytes=1000-70999' });
    const reader = await s3.openReader(url);
    const buf = Buffer.alloc(80_000, 0xee);
    assert.equal(await reader.read(buf, 5, 70_000, 1000), 70_000);
    assert.deepEqual(buf.subarray(5, 70_005), theirs);
    assert.equal(buf[4], 0xee);
    assert.equal(buf[70_005], 0xee);
    // A read across the end gets the bytes there are; past it, 0.
    assert.equal(await reader.read(buf, 0, 80_000, 299_990), 10);
    assert.deepEqual(buf.subarray(0, 10), whole.subarray(299_990));
    assert.equal(await reader.read(buf, 0, 100, 300_000), 0);
    assert.equal(await reader.read(buf, 0, 100, 10_000_000), 0);
    await reader.close();
    // A fresh reader whose first read is past the end (the store answers 416) reads 0 too.
    const late = await s3.openReader(url);
    assert.equal(await late.read(buf, 0, 100, 400_000), 0);
    const chunks: Buffer[] = [];
    for await (const c of s3.openRange(url, 7, 250_007, 64 * 1024)) chunks.push(c as Buffer);
    assert.ok(chunks.every((c) => c.length <= 64 * 1024));
    assert.deepEqual(Buffer.concat(chunks), whole.subarray(7, 250_007));
    const tail: Buffer[] = [];
    for await (const c of s3.openRange(url, 299_000, 400_000)) tail.push(c as Buffer);
    assert.deepEqual(Buffer.concat(tail), whole.subarray(299_000));
    for await (const c of s3.openRange(url, 10, 10)) assert.fail(`an empty range gave ${String(c)}`);
    await rejectsWith(s3.read(`s3://${BUCKET}/data/nope`), 'ENOENT', /no such key/);
    await rejectsWith((await s3.openReader(`s3://${BUCKET}/data/nope`)).read(buf, 0, 10, 0), 'ENOENT', /no such key/);
  });

  it('never mixes two versions of an object in one reader: a replaced object fails the next read', async () => {
    const url = `s3://${BUCKET}/data/changing.txt`;
    await boto(store, 'put', { bucket: BUCKET, key: 'data/changing.txt', body: 'first version, long enough\n' });
    const reader = await s3.openReader(url);
    const buf = Buffer.alloc(5);
    assert.equal(await reader.read(buf, 0, 5, 0), 5);
    await boto(store, 'put', { bucket: BUCKET, key: 'data/changing.txt', body: 'second version, as long!\n' });
    await rejectsWith(reader.read(buf, 0, 5, 5), 'ESTALE', /changed while it was being read/);
  });

  it('writes whole objects: one PUT for a buffer, a multipart upload for a stream', async () => {
    await s3.writeAtomic(`s3://${BUCKET}/out/buffer.txt`, Buffer.from('one put\n'));
    assert.equal((await boto(store, 'get', { bucket: BUCKET, key: 'out/buffer.txt' })).toString(), 'one put\n');
    await s3.writeAtomic(
      `s3://${BUCKET}/out/stream.bin`,
      (async function* () {
        for (let i = 0; i < big.length; i += 3 * MiB) yield big.subarray(i, i + 3 * MiB);
      })(),
    );
    assert.deepEqual(await boto(store, 'get', { bucket: BUCKET, key: 'out/stream.bin' }), big);
    assert.match((await boto(store, 'head', { bucket: BUCKET, key: 'out/stream.bin' }))?.etag ?? '', /-2"$/);
  });

  it('stages an object in a local file, uploaded on commit; an abort leaves nothing, locally or in the store', async () => {
    const staged = await s3.stage(`s3://${BUCKET}/out/staged.bin`);
    fs.writeFileSync(staged.localPath, big);
    assert.equal(await boto(store, 'head', { bucket: BUCKET, key: 'out/staged.bin' }), null);
    await staged.commit();
    assert.deepEqual(await boto(store, 'get', { bucket: BUCKET, key: 'out/staged.bin' }), big);
    assert.equal(fs.existsSync(staged.localPath), false, 'the local file is gone after the upload');

    const dropped = await s3.stage(`s3://${BUCKET}/out/dropped.bin`);
    fs.writeFileSync(dropped.localPath, 'never uploaded');
    await dropped.abort();
    assert.equal(fs.existsSync(path.dirname(dropped.localPath)), false);
    assert.equal(await boto(store, 'head', { bucket: BUCKET, key: 'out/dropped.bin' }), null);
  });

  it('aborts an upload midway: no object, no multipart upload left in the store, no local file', async () => {
    const staged = await s3.stage(`s3://${BUCKET}/out/midway.bin`);
    // A named pipe as the local file: the upload reads what the test writes, when it writes
    // it, so the abort lands while the multipart upload is in progress, by construction.
    const mk = spawnSync('mkfifo', [staged.localPath]);
    assert.equal(mk.status, 0, mk.stderr?.toString());
    const committing = staged.commit();
    const writer = fs.createWriteStream(staged.localPath);
    // The abort closes the pipe's reading end: what the writer still holds cannot go.
    writer.on('error', () => undefined);
    writer.write(pattern(10 * MiB));
    await untilUploadInProgress(store, BUCKET);
    const aborting = staged.abort();
    // Only now may the upload's read of the pipe end (a pipe read waits for its writer).
    writer.destroy();
    await aborting;
    await assert.rejects(committing);
    assert.deepEqual(await boto(store, 'uploads', { bucket: BUCKET }), []);
    assert.equal(await boto(store, 'head', { bucket: BUCKET, key: 'out/midway.bin' }), null);
    assert.equal(fs.existsSync(path.dirname(staged.localPath)), false);
  });

  it('renames by a server-side copy and a delete, in parts past the single-copy limit', async () => {
    await boto(store, 'put', { bucket: BUCKET, key: 'mv/a.txt', body: 'moved\n' });
    await s3.rename(`s3://${BUCKET}/mv/a.txt`, `s3://${BUCKET}/mv/b.txt`);
    assert.deepEqual(
      (await boto(store, 'list', { bucket: BUCKET, prefix: 'mv/' })).map((o) => o.key),
      ['mv/b.txt'],
    );
    assert.equal((await boto(store, 'get', { bucket: BUCKET, key: 'mv/b.txt' })).toString(), 'moved\n');
    // The same path as an object over 5 GiB, at a small scale: UploadPartCopy, three parts.
    const parted = createS3Storage({ copy: { maxSingleCopyBytes: 6 * MiB, partCopyBytes: 5 * MiB } });
    await parted.rename(`s3://${BUCKET}/data/big.bin`, `s3://${BUCKET}/mv/big.bin`);
    assert.deepEqual(await boto(store, 'get', { bucket: BUCKET, key: 'mv/big.bin' }), big);
    assert.match((await boto(store, 'head', { bucket: BUCKET, key: 'mv/big.bin' }))?.etag ?? '', /-3"$/);
    assert.equal(await boto(store, 'head', { bucket: BUCKET, key: 'data/big.bin' }), null);
    await rejectsWith(s3.rename(`s3://${BUCKET}/mv/gone`, `s3://${BUCKET}/mv/c`), 'ENOENT', /no such key/);
  });

  it('removes an object; one that is not there, or whose bucket is not, is removed already', async () => {
    await boto(store, 'put', { bucket: BUCKET, key: 'rm/x', body: 'x' });
    await s3.remove(`s3://${BUCKET}/rm/x`);
    assert.equal(await boto(store, 'head', { bucket: BUCKET, key: 'rm/x' }), null);
    await s3.remove(`s3://${BUCKET}/rm/x`);
    await s3.remove('s3://no-such-bucket/rm/x');
  });
});
