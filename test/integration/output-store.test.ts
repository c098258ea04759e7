import { it } from 'node:test';
import * as assert from 'node:assert/strict';
import { runMr } from '../helpers/cli.js';
import { fileStore } from '../helpers/output-stores.js';
import { outputStoreCases } from '../helpers/output-store-cases.js';

// One line per backend: the s3 variant passes an s3 store of test/helpers/s3-store.ts, the
// testfs one (output-store-testfs.test.ts) a scheme loaded from outside the tree.
outputStoreCases('file:', (dir) => fileStore(dir));

it('mr submit --output takes a storage URL only: a plain path is refused in one line, before anything is sent', async () => {
  for (const output of ['out/', '/tmp/out']) {
    const r = await runMr([
      'submit',
      'jobs/wordcount.ts',
      '--input',
      'README.md',
      '--master',
      '127.0.0.1:1',
      '--output',
      output,
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /mr submit writes to a storage URL \(s3:\/\/BUCKET\/PREFIX\/, file:\/\/\/abs\/dir\/\)/);
  }
  const r = await runMr(['run', 'jobs/wordcount.ts', '--input', 'README.md', '--output', 'nosuch://bucket/out/']);
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /no storage for scheme nosuch:/);
});
