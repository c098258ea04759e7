import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMr } from '../helpers/cli.js';
import { writeCorpus } from '../helpers/corpus.js';
import { referenceWordCount } from '../helpers/reference.js';

/** The compiled test scheme, preloaded into every process of the run. */
const SCHEME_MODULE = path.join(__dirname, '..', 'helpers', 'testfs-scheme.js');

function counts(stdout: string): Map<string, number> {
  return new Map(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.lastIndexOf('\t')), Number(l.slice(l.lastIndexOf('\t') + 1))]),
  );
}

describe('the storage seam', () => {
  let dir: string;
  let files: string[];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-seam-'));
    files = writeCorpus(path.join(dir, 'root', 'corpus'), 5, 3000, 11);
    fs.writeFileSync(path.join(dir, 'root', 'corpus', '_SUCCESS'), '');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs a job over a scheme the planner and the task runtime never heard of, its results written and read through the seam', async () => {
    const log = path.join(dir, 'ops.log');
    const env = { NODE_OPTIONS: `--require ${SCHEME_MODULE}`, TESTFS_ROOT: path.join(dir, 'root'), TESTFS_LOG: log };
    const r = await runMr(
      ['run', 'jobs/wordcount.ts', '--input', 'testfs://corpus', '--partitions', '3', '--chunk-size', '16384'],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(counts(r.stdout), referenceWordCount(files));
    const ops = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string, string]);
    // Every input file was read through the testfs backend (by the map tasks: the client
    // peeks at files it is given, not into a directory).
    const opened = new Set(
      ops.filter(([op, , url]) => op === 'open' && url.startsWith('testfs://')).map(([, , url]) => url),
    );
    assert.deepEqual([...opened].sort(), files.map((f) => `testfs://corpus/${path.basename(f)}`).sort());
    // Each partition's part file was staged and committed once, and read back from there.
    const committed = ops.filter(([op]) => op === 'commit').map(([, , url]) => url);
    assert.equal(committed.length, 3);
    for (const url of committed) {
      assert.match(url, /part\.data$/);
      assert.ok(
        ops.some(([op, , u]) => op === 'open' && u === url),
        `${url} read back through the seam`,
      );
    }
  });

  it('refuses a scheme no backend serves with one line naming it', async () => {
    const r = await runMr(['run', 'jobs/wordcount.ts', '--input', 'nosuch://bucket/prefix/']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /nosuch:\/\/bucket\/prefix\/: no storage for scheme nosuch:/);
  });
});
