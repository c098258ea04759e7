import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runMr } from '../helpers/cli.js';
import type { MrResult } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { parseJsonl } from '../helpers/reference.js';

/** Word counts of every part file in `dir`, and the names of everything in it. */
function readOutput(dir: string): { names: string[]; counts: Map<unknown, unknown> } {
  const names = fs.readdirSync(dir).sort();
  const text = names
    .filter((n) => n.startsWith('part-'))
    .map((n) => fs.readFileSync(path.join(dir, n), 'utf8'))
    .join('');
  return { names, counts: parseJsonl(text) };
}

function assertRefused(r: MrResult, dir: string): void {
  assert.equal(r.code, 2, `a bad --output is a usage error; ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`--output ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} already holds results .*--overwrite`),
  );
}

describe("--output DIR holds one job's results", () => {
  let cluster: TestCluster;
  let first: string;
  let second: string;

  before(async () => {
    cluster = await startCluster({ workers: 1, slots: 1 });
    first = path.join(cluster.dir, 'first.txt');
    second = path.join(cluster.dir, 'second.txt');
    fs.writeFileSync(first, 'a b c d e f g h\n');
    fs.writeFileSync(second, 'x y\n');
  });
  after(() => cluster.stop());

  it('mr run refuses a DIR with part files unless --overwrite, which replaces them as a whole', async () => {
    const out = path.join(cluster.dir, 'run-out');
    const one = await runMr([
      'run',
      'jobs/wordcount.ts',
      '--input',
      first,
      '--partitions',
      '4',
      '--format',
      'jsonl',
      '-o',
      out,
      '--slots',
      '1',
    ]);
    assert.equal(one.code, 0, one.stderr);
    const before = readOutput(out);
    assert.deepEqual(before.names, ['_SUCCESS', 'part-00000', 'part-00001', 'part-00002', 'part-00003']);
    assert.equal(before.counts.size, 8);

    assertRefused(
      await runMr([
        'run',
        'jobs/wordcount.ts',
        '--input',
        second,
        '--partitions',
        '2',
        '--format',
        'jsonl',
        '-o',
        out,
        '--slots',
        '1',
      ]),
      out,
    );
    assert.deepEqual(readOutput(out), before, 'a refused run leaves the old results alone');

    const two = await runMr([
      'run',
      'jobs/wordcount.ts',
      '--input',
      second,
      '--partitions',
      '2',
      '--format',
      'jsonl',
      '-o',
      out,
      '--overwrite',
      '--slots',
      '1',
    ]);
    assert.equal(two.code, 0, two.stderr);
    const after = readOutput(out);
    assert.deepEqual(after.names, ['_SUCCESS', 'part-00000', 'part-00001'], 'no part file of the first job is left');
    assert.deepEqual(
      after.counts,
      new Map([
        ['x', 1],
        ['y', 1],
      ]),
    );
  });

  it('mr results --output refuses a DIR with results unless --overwrite', async () => {
    const submit = async (input: string, partitions: string): Promise<string> => {
      const r = await runMr([
        'submit',
        'jobs/wordcount.ts',
        '--input',
        input,
        '--partitions',
        partitions,
        '--master',
        cluster.master,
        '--wait',
      ]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.split('\n')[0] as string;
    };
    const out = path.join(cluster.dir, 'results-out');
    const one = await submit(first, '4');
    const two = await submit(second, '2');
    const r1 = await runMr(['results', one, '--master', cluster.master, '--format', 'jsonl', '-o', out]);
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal(readOutput(out).names.length, 5);
    assertRefused(await runMr(['results', two, '--master', cluster.master, '--format', 'jsonl', '-o', out]), out);
    const r2 = await runMr(['results', two, '--master', cluster.master, '--format', 'jsonl', '-o', out, '--overwrite']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(readOutput(out), {
      names: ['_SUCCESS', 'part-00000', 'part-00001'],
      counts: new Map([
        ['x', 1],
        ['y', 1],
      ]),
    });
  });
});
