import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../common/index.js';
import { fileStorage, isUrl, schemeOf, storageFor } from '../../storage/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-local-storage-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('local storage (file: and plain paths)', () => {
  it('lists every file under a directory with its size, depth first and sorted, skipping what skipName names', async () => {
    const root = path.join(dir, 'tree');
    for (const [rel, text] of [
      ['b.txt', 'bb'],
      ['a/y.txt', 'yyy'],
      ['a/x.txt', ''],
      ['a.txt', 'a'],
      ['.hidden', 'h'],
      ['_skip/z.txt', 'zz'],
    ] as const) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    }
    fs.symlinkSync(path.join(root, 'b.txt'), path.join(root, 'link'));
    const skipName = (n: string): boolean => n.startsWith('.') || n.startsWith('_');
    const listed = await fileStorage.list(root, { skipName });
    assert.deepEqual(
      listed.map((e) => [path.relative(root, e.url), e.size]),
      [
        ['a/x.txt', 0],
        ['a/y.txt', 3],
        ['a.txt', 1],
        ['b.txt', 2],
      ],
    );
    // A file: URL lists as file: URLs; a file lists as itself; the limit stops the walk.
    const asUrls = await fileStorage.list(pathToFileURL(root).href, { skipName });
    assert.deepEqual(
      asUrls.map((e) => e.url),
      listed.map((e) => pathToFileURL(e.url).href),
    );
    assert.deepEqual(
      (await fileStorage.list(path.join(root, 'b.txt'))).map((e) => e.size),
      [2],
    );
    assert.equal((await fileStorage.list(root, { skipName, limit: 1 })).length, 2);
    assert.equal((await fileStorage.stat(root)).kind, 'directory');
    assert.deepEqual(
      [
        (await fileStorage.stat(path.join(root, 'a/y.txt'))).kind,
        (await fileStorage.stat(path.join(root, 'a/y.txt'))).size,
      ],
      ['object', 3],
    );
    await assert.rejects(
      fileStorage.stat(path.join(root, 'nope')),
      (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
    );
  });

  it('reads byte ranges: inside, empty, reaching past the end and wholly past it', async () => {
    const file = path.join(dir, 'range.txt');
    fs.writeFileSync(file, '0123456789');
    const range = (start: number, end: number, chunk?: number): Promise<string> =>
      collect(fileStorage.openRange(file, start, end, chunk)).then((b) => b.toString());
    assert.equal(await range(2, 5), '234');
    assert.equal(await range(0, 10, 3), '0123456789');
    assert.equal(await range(4, 4), '');
    assert.equal(await range(7, 4), '');
    assert.equal(await range(8, 100), '89');
    assert.equal(await range(20, 30), '');
    assert.throws(() => fileStorage.openRange(file, -1, 3), RangeError);
    const reader = await fileStorage.openReader(file);
    const buf = Buffer.alloc(4);
    assert.equal(await reader.read(buf, 0, 4, 8), 2);
    assert.equal(buf.subarray(0, 2).toString(), '89');
    assert.equal(await reader.read(buf, 0, 4, 50), 0);
    await reader.close();
    assert.equal((await fileStorage.read(file)).toString(), '0123456789');
  });

  it('writes atomically: the old object stays whole until the new one is, and a failing writer leaves nothing', async () => {
    const target = path.join(dir, 'out', 'part');
    await fileStorage.writeAtomic(target, Buffer.from('old'));
    assert.equal(fs.readFileSync(target, 'utf8'), 'old');
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('new, half');
      // The target still holds the old bytes while the new ones are being written.
      assert.equal(fs.readFileSync(target, 'utf8'), 'old');
      throw new Error('writer broke');
    }
    await assert.rejects(fileStorage.writeAtomic(target, failing()), /writer broke/);
    assert.equal(fs.readFileSync(target, 'utf8'), 'old');
    assert.deepEqual(fs.readdirSync(path.dirname(target)), ['part'], 'no temporary file left');
    await fileStorage.writeAtomic(
      target,
      (async function* () {
        yield Buffer.from('new ');
        yield Buffer.from('whole');
      })(),
    );
    assert.equal(fs.readFileSync(target, 'utf8'), 'new whole');
    // A staged object is invisible until committed, and gone when aborted.
    const staged = await fileStorage.stage(path.join(dir, 'out', 'staged'));
    fs.writeFileSync(staged.localPath, 'x');
    assert.equal(fs.existsSync(path.join(dir, 'out', 'staged')), false);
    await staged.abort();
    assert.deepEqual(fs.readdirSync(path.dirname(target)), ['part']);
    await fileStorage.remove(target);
    await fileStorage.remove(target);
    assert.equal(fs.existsSync(target), false);
  });

  it('renames an object over another, making the target directory; the source is gone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-rename-'));
    const from = path.join(dir, 'a.tmp');
    const to = path.join(dir, 'out', 'part-00000');
    fs.writeFileSync(from, 'new');
    await fileStorage.rename(from, to);
    assert.equal(fs.readFileSync(to, 'utf8'), 'new');
    assert.equal(fs.existsSync(from), false);
    fs.writeFileSync(from, 'newer');
    await fileStorage.rename(pathToFileURL(from).href, pathToFileURL(to).href);
    assert.equal(fs.readFileSync(to, 'utf8'), 'newer');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is the storage of plain paths and file: URLs; an unknown scheme is a one-line error naming it', () => {
    assert.equal(storageFor('/data/x'), fileStorage);
    assert.equal(storageFor('relative:name'), fileStorage);
    assert.equal(storageFor('file:///data/x'), fileStorage);
    assert.deepEqual(
      [schemeOf('/a'), schemeOf('S3://b/k'), isUrl('/a'), isUrl('file:///a'), isUrl('http://h/x')],
      ['file', 's3', false, true, true],
    );
    assert.throws(
      () => storageFor('nosuch://bucket/prefix/'),
      (err: unknown) =>
        err instanceof UserError &&
        !err.message.includes('\n') &&
        /scheme nosuch:/.test(err.message) &&
        err.message.startsWith('nosuch://bucket/prefix/'),
    );
  });
});
