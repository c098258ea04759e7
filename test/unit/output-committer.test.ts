import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../../common/index.js';
import {
  OutputCommitter,
  OutputStoreError,
  attemptOutputUrl,
  checkOutputTarget,
  normalizeOutputUrl,
  storeCall,
} from '../../master/index.js';
import type { OutputTarget } from '../../master/index.js';
import { fileStorage, registerStorage } from '../../storage/index.js';
import type { Storage } from '../../storage/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-output-committer-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every store call the committer makes through `rec://`, in order (rec://X is dir/X on disk, the local backend). */
const ops: string[] = [];
const local = (url: string): string => path.join(dir, url.slice('rec://'.length));
const rel = (url: string): string => url.slice('rec://'.length);
const recording: Storage = {
  schemes: ['rec'],
  stat: (url) => fileStorage.stat(local(url)),
  list: async (url, options) =>
    (await fileStorage.list(local(url), options)).map((e) => ({ ...e, url: `rec://${path.relative(dir, e.url)}` })),
  openReader: (url) => fileStorage.openReader(local(url)),
  openRange: (url, start, end, chunkBytes) => fileStorage.openRange(local(url), start, end, chunkBytes),
  read: (url) => fileStorage.read(local(url)),
  stage: (url) => fileStorage.stage(local(url)),
  writeAtomic: (url, data) => {
    ops.push(`write ${rel(url)}`);
    return fileStorage.writeAtomic(local(url), data);
  },
  remove: (url) => {
    ops.push(`remove ${rel(url)}`);
    return fileStorage.remove(local(url));
  },
  rename: (from, to) => {
    ops.push(`rename ${rel(from)} ${rel(to)}`);
    return fileStorage.rename(local(from), local(to));
  },
  removeEmptyDirectories: (url) => (fileStorage.removeEmptyDirectories as (u: string) => Promise<void>)(local(url)),
};
registerStorage(recording);

/** Files under rec://NAME/, relative, sorted, directories with a final `/`. */
function tree(name: string): string[] {
  const root = path.join(dir, name);
  if (!fs.existsSync(root)) return [];
  const out: string[] = [];
  const walk = (d: string, prefix: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      out.push(`${prefix}${e.name}${e.isDirectory() ? '/' : ''}`);
      if (e.isDirectory()) walk(path.join(d, e.name), `${prefix}${e.name}/`);
    }
  };
  walk(root, '');
  return out.sort();
}

function put(url: string, text: string): void {
  fs.mkdirSync(path.dirname(local(url)), { recursive: true });
  fs.writeFileSync(local(url), text);
}

const FAST = { timeoutMs: 2000, tries: 2, backoffMs: 1 };

/** A job of `partitions` partitions whose attempts wrote under PREFIX/_temporary: winners a1, plus a losing a0 of each. */
function attempts(target: OutputTarget, job: string, partitions: number): string[] {
  const winners: string[] = [];
  for (let p = 0; p < partitions; p++) {
    const task = `reduce-${String(p).padStart(5, '0')}`;
    put(attemptOutputUrl(target.url, job, task, 0, p), `loser ${p}\n`);
    const win = attemptOutputUrl(target.url, job, task, 1, p);
    put(win, `winner ${p}\n`);
    winners.push(win);
  }
  // A killed attempt's staged file, hidden beside where its object would have been.
  put(`${target.url}_temporary/${job}/reduce-00000-a2/.part-00000.tmp-abc`, 'half');
  return winners;
}

describe('the output committer', () => {
  it('renames each winner to part-NNNNN, removes stale parts, writes _SUCCESS last, then removes the temporary tree', async () => {
    const target: OutputTarget = { url: 'rec://a/', format: 'text', overwrite: true };
    put('rec://a/part-00000', 'old 0');
    put('rec://a/part-00003', 'old 3');
    put('rec://a/_SUCCESS', '');
    put('rec://a/notes.txt', 'not a result');
    put('rec://a/_temporary/other-job/reduce-00000-a0/part-00000', 'another job, still running');
    const winners = attempts(target, 'job1', 2);
    ops.length = 0;
    const committer = new OutputCommitter({ target, jobId: 'job1', winners }, FAST);
    assert.equal(await committer.commit(), 'committed');
    const success = ops.indexOf('write a/_SUCCESS');
    assert.equal(ops[0], 'remove a/_SUCCESS', 'the old _SUCCESS goes first');
    assert.deepEqual(ops.slice(1, 3).sort(), [
      'rename a/_temporary/job1/reduce-00000-a1/part-00000 a/part-00000',
      'rename a/_temporary/job1/reduce-00001-a1/part-00001 a/part-00001',
    ]);
    assert.equal(ops[3], 'remove a/part-00003', 'a part no partition rewrote goes before _SUCCESS');
    assert.equal(success, 4);
    assert.ok(
      ops.slice(success + 1).every((op) => op.startsWith('remove a/_temporary/job1/')),
      ops.join('\n'),
    );
    assert.deepEqual(tree('a'), [
      '_SUCCESS',
      '_temporary/',
      '_temporary/other-job/',
      '_temporary/other-job/reduce-00000-a0/',
      '_temporary/other-job/reduce-00000-a0/part-00000',
      'notes.txt',
      'part-00000',
      'part-00001',
    ]);
    assert.equal(fs.readFileSync(local('rec://a/part-00001'), 'utf8'), 'winner 1\n');
  });

  it('leaves no _temporary behind once the last job using it is done', async () => {
    const target: OutputTarget = { url: 'rec://b/', format: 'text', overwrite: false };
    const winners = attempts(target, 'job2', 3);
    await new OutputCommitter({ target, jobId: 'job2', winners }, FAST).commit();
    assert.deepEqual(tree('b'), ['_SUCCESS', 'part-00000', 'part-00001', 'part-00002']);
  });

  it('refuses results that appeared under the prefix while the job ran, without --overwrite', async () => {
    const target: OutputTarget = { url: 'rec://c/', format: 'text', overwrite: false };
    const winners = attempts(target, 'job3', 1);
    put('rec://c/part-00007', 'someone else');
    const committer = new OutputCommitter({ target, jobId: 'job3', winners }, FAST);
    await assert.rejects(committer.commit(), (err: unknown) => {
      assert.ok(err instanceof OutputStoreError);
      assert.match(err.message, /^output rec:\/\/c\/: results appeared there while the job ran \(part-00007, \.\.\.\)/);
      return true;
    });
  });

  it('done again by a restarted master, completes a commit its previous run began (renames are not repeated)', async () => {
    const target: OutputTarget = { url: 'rec://r/', format: 'text', overwrite: false };
    const winners = attempts(target, 'job9', 3);
    // The previous master had renamed partition 1 when it died.
    fs.mkdirSync(local('rec://r/'), { recursive: true });
    fs.renameSync(local(winners[1] as string), local('rec://r/part-00001'));
    const fresh = new OutputCommitter({ target, jobId: 'job9', winners }, FAST);
    await assert.rejects(fresh.commit(), /results appeared there while the job ran \(part-00001/);
    ops.length = 0;
    const resumed = new OutputCommitter({ target, jobId: 'job9', winners, resumed: true }, FAST);
    assert.equal(await resumed.commit(), 'committed');
    assert.ok(!ops.some((op) => op.startsWith('rename r/_temporary/job9/reduce-00001')), ops.join('\n'));
    assert.deepEqual(tree('r'), ['_SUCCESS', 'part-00000', 'part-00001', 'part-00002']);
    assert.equal(fs.readFileSync(local('rec://r/part-00001'), 'utf8'), 'winner 1\n');
  });

  it('a commit that fails names the call and URL in one line; abort removes what it promoted and the temporary tree', async () => {
    const target: OutputTarget = { url: 'rec://d/', format: 'text', overwrite: false };
    const winners = attempts(target, 'job4', 3);
    fs.rmSync(local(winners[2] as string));
    const committer = new OutputCommitter({ target, jobId: 'job4', winners }, FAST);
    const err = await committer.commit().then(
      () => assert.fail('the commit succeeded'),
      (e: unknown) => e as Error,
    );
    assert.ok(err instanceof OutputStoreError);
    assert.match(
      err.message,
      /^output rename rec:\/\/d\/_temporary\/job4\/reduce-00002-a1\/part-00002 -> rec:\/\/d\/part-00002: /,
    );
    assert.ok(!err.message.includes('\n'));
    assert.equal(await committer.abort(), undefined);
    assert.deepEqual(tree('d'), [], 'no part file, no _SUCCESS, no temporary object');
  });

  it('stops between steps when told (a job killed while committing), and abort then leaves nothing', async () => {
    const target: OutputTarget = { url: 'rec://e/', format: 'text', overwrite: false };
    const winners = attempts(target, 'job5', 20);
    const committer = new OutputCommitter({ target, jobId: 'job5', winners }, FAST);
    ops.length = 0;
    // Killed once three parts were promoted: the commit stops, the parts promoted go again.
    const outcome = await committer.commit(() => ops.filter((o) => o.startsWith('rename e/')).length >= 3);
    assert.ok(ops.filter((o) => o.startsWith('rename e/')).length < 20, 'it stopped before the last rename');
    assert.equal(outcome, 'aborted');
    await committer.abort();
    assert.deepEqual(tree('e'), []);
  });
});

describe('store calls of the commit', () => {
  it('are bounded in time: a call that never answers fails after its tries, naming the URL', async () => {
    const started = Date.now();
    await assert.rejects(
      storeCall('rename', 's3://b/k', () => new Promise<never>(() => undefined), {
        timeoutMs: 50,
        tries: 2,
        backoffMs: 1,
      }),
      /^OutputStoreError: output rename s3:\/\/b\/k: no answer in 50 ms \(2 tries\)$/,
    );
    assert.ok(Date.now() - started < 2000);
  });

  it('retry transient failures, and report a missing object at once', async () => {
    let calls = 0;
    const flaky = (): Promise<string> =>
      ++calls < 3 ? Promise.reject(new Error('ECONNRESET')) : Promise.resolve('ok');
    assert.equal(await storeCall('list', 'x://p/', flaky, { timeoutMs: 1000, tries: 3, backoffMs: 1 }), 'ok');
    assert.equal(calls, 3);
    let missing = 0;
    const gone = (): Promise<never> => {
      missing++;
      return Promise.reject(Object.assign(new Error('no such key'), { code: 'ENOENT' }));
    };
    await assert.rejects(
      storeCall('rename', 'x://p/a', gone, { timeoutMs: 1000, tries: 3, backoffMs: 1 }),
      /no such key$/,
    );
    assert.equal(missing, 1);
  });
});

describe('output URLs', () => {
  it('are URLs with a scheme a backend serves, given back as prefixes ending in /', () => {
    assert.equal(normalizeOutputUrl('rec://bucket/out'), 'rec://bucket/out/');
    assert.equal(normalizeOutputUrl('rec://bucket/out/'), 'rec://bucket/out/');
    assert.equal(normalizeOutputUrl('file:///tmp/a b'), `${pathToFileURL('/tmp/a b').href}/`);
    const refused: [string, RegExp][] = [
      ['/tmp/out', /must be a URL with a scheme/],
      ['out/', /must be a URL with a scheme/],
      ['nosuch://b/p', /no storage for scheme nosuch:/],
      ['file://otherhost/dir', /not an absolute file: URL/],
      ['rec://', /names no bucket or directory/],
      ['rec://b/p?x=1', /a query or fragment/],
    ];
    for (const [url, why] of refused) {
      assert.throws(
        () => normalizeOutputUrl(url),
        (err: unknown) => err instanceof UserError && why.test(err.message) && !err.message.includes('\n'),
        url,
      );
    }
  });

  it('holding results are refused at submit unless overwrite; a missing prefix and other jobs temporary trees are not results', async () => {
    await checkOutputTarget({ url: 'rec://nothing-here/', format: 'text', overwrite: false });
    put('rec://f/_temporary/j/reduce-00000-a0/part-00000', 'x');
    put('rec://f/readme', 'x');
    await checkOutputTarget({ url: 'rec://f/', format: 'text', overwrite: false });
    put('rec://f/part-00000', 'x');
    await assert.rejects(
      checkOutputTarget({ url: 'rec://f/', format: 'text', overwrite: false }),
      /^UserError: --output rec:\/\/f\/ already holds results \(1 objects: part-00000\); pass --overwrite/,
    );
    await checkOutputTarget({ url: 'rec://f/', format: 'text', overwrite: true });
  });
});
