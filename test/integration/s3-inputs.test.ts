import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMr } from '../helpers/cli.js';
import type { MrResult } from '../helpers/cli.js';
import { writeCorpus } from '../helpers/corpus.js';
import { referenceWordCount } from '../helpers/reference.js';
import { boto, startS3Store } from '../helpers/s3-store.js';
import type { S3Store } from '../helpers/s3-store.js';

const BUCKET = 'groove-in';
const TASKS_PER_INPUT = path.join('test', 'fixtures', 'tasks-per-input.ts');

function counts(stdout: string): Map<string, number> {
  return new Map(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.lastIndexOf('\t')), Number(l.slice(l.lastIndexOf('\t') + 1))]),
  );
}

function assertOneLine(r: MrResult, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit ${String(r.code)}; stderr: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

describe('mr run over s3:// inputs in a real store, credentials from the standard AWS variables', () => {
  let store: S3Store;
  let dir: string;
  let corpus: string[];
  let big: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-s3-inputs-'));
    corpus = writeCorpus(path.join(dir, 'corpus'), 6, 3000, 7);
    [big] = writeCorpus(path.join(dir, 'big'), 1, 40_000, 8) as [string];
    store = await startS3Store();
    await boto(store, 'createBucket', { bucket: BUCKET });
    await boto(store, 'putMany', {
      bucket: BUCKET,
      objects: [
        ...corpus.map((f) => ({ key: `corpus/${path.basename(f)}`, body: fs.readFileSync(f) })),
        // Hidden and underscore names, at any level below the prefix, are not inputs.
        { key: 'corpus/_SUCCESS', body: 'NOT_AN_INPUT\n' },
        { key: 'corpus/.hidden.txt', body: 'NOT_AN_INPUT\n' },
        { key: 'corpus/_logs/run.txt', body: 'NOT_AN_INPUT\n' },
        { key: 'big/one.txt', body: fs.readFileSync(big) },
      ],
    });
  });
  after(async () => {
    await store?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts the words of every object under a prefix as it does over the local files, the secret in no output', async () => {
    const r = await runMr(['run', 'jobs/wordcount.ts', '--input', `s3://${BUCKET}/corpus/`, '--partitions', '3'], {
      env: { ...store.env, GROOVE_LOG: 'debug' },
    });
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    assert.deepEqual(counts(r.stdout), referenceWordCount(corpus));
    assert.match(r.stderr, / debug \[/, 'debug logs were on');
    assert.ok(!r.stdout.includes(store.secretAccessKey) && !r.stderr.includes(store.secretAccessKey));
  });

  it('cuts one object into several splits (ranged reads), every record read once, ctx.input its URL', async () => {
    const url = `s3://${BUCKET}/big/one.txt`;
    const r = await runMr(['run', 'jobs/wordcount.ts', '--input', url, '--chunk-size', '16384'], { env: store.env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(counts(r.stdout), referenceWordCount([big]));
    const t = await runMr(['run', TASKS_PER_INPUT, '--input', url, '--chunk-size', '16384'], { env: store.env });
    assert.equal(t.code, 0, t.stderr);
    const m = /^(s3:\/\/\S+)\t(\d+) tasks (\d+) records$/.exec(t.stdout.trim());
    assert.ok(m, t.stdout);
    assert.equal(m[1], url);
    const splits = Math.ceil(fs.statSync(big).size / 16384);
    assert.equal(Number(m[2]), splits, `one map task per 16 KiB split of ${fs.statSync(big).size} bytes`);
    const lines = fs.readFileSync(big, 'utf8').split('\n');
    assert.equal(Number(m[3]), lines.at(-1) === '' ? lines.length - 1 : lines.length);
  });

  it('refuses a missing bucket, a missing key and a prefix with nothing under it, in one line naming them', async () => {
    const env = store.env;
    assertOneLine(
      await runMr(['run', 'jobs/wordcount.ts', '--input', 's3://no-such-bucket/data/'], { env }),
      /input s3:\/\/no-such-bucket\/data\/: no such bucket no-such-bucket$/m,
    );
    assertOneLine(
      await runMr(['run', 'jobs/wordcount.ts', '--input', `s3://${BUCKET}/corpus/nope.txt`], { env }),
      /input s3:\/\/groove-in\/corpus\/nope\.txt: no such key corpus\/nope\.txt in bucket groove-in$/m,
    );
    assertOneLine(
      await runMr(['run', 'jobs/wordcount.ts', '--input', `s3://${BUCKET}/nothing-here/`], { env }),
      /input s3:\/\/groove-in\/nothing-here\/: nothing under it is an input object .*--allow-empty/,
    );
    assertOneLine(
      await runMr(['run', 'jobs/wordcount.ts', '--input', 's3:///data/'], { env }),
      /s3:\/\/\/data\/: names no bucket/,
    );
  });

  it('says the credentials are wrong, or missing, without printing them', async () => {
    const wrong = 'wrong-secret-0f3c9a';
    const denied = await runMr(['run', 'jobs/wordcount.ts', '--input', `s3://${BUCKET}/corpus/`], {
      env: { ...store.env, AWS_SECRET_ACCESS_KEY: wrong, GROOVE_LOG: 'debug' },
    });
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(denied.stderr, /input s3:\/\/groove-in\/corpus\/: access denied or invalid credentials \(\w+\)/);
    for (const secret of [wrong, store.secretAccessKey]) {
      assert.ok(!denied.stderr.includes(secret) && !denied.stdout.includes(secret), `${secret} printed`);
    }
    const plain = await runMr(['run', 'jobs/wordcount.ts', '--input', `s3://${BUCKET}/corpus/`], {
      env: { ...store.env, AWS_SECRET_ACCESS_KEY: wrong },
    });
    assertOneLine(plain, /access denied or invalid credentials/);
    // No credentials anywhere (and no instance metadata service to ask).
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...noKeys } = store.env;
    assertOneLine(
      await runMr(['run', 'jobs/wordcount.ts', '--input', `s3://${BUCKET}/corpus/`], {
        env: { ...noKeys, AWS_EC2_METADATA_DISABLED: 'true' },
      }),
      /input s3:\/\/groove-in\/corpus\/: no AWS credentials found \(set AWS_ACCESS_KEY_ID/,
    );
    assertOneLine(
      await runMr(['run', 'jobs/wordcount.ts', '--input', `s3://${BUCKET}/corpus/`], {
        env: { ...store.env, AWS_S3_FORCE_PATH_STYLE: 'sideways' },
      }),
      /AWS_S3_FORCE_PATH_STYLE must be true or false \(1 or 0\), got "sideways"/,
    );
  });
});
