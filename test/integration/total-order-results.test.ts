import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { mulberry32, writeCorpus } from '../helpers/corpus.js';
import { referenceWordCount } from '../helpers/reference.js';

const RESORT = 'test/fixtures/resort-records.ts';

/** `LC_ALL=C sort FILE` (byte order, which is the key order of strings), the independent answer. */
function coreutilsSort(file: string): string {
  return execFileSync('sort', [file], { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1 << 30 }).toString('utf8');
}

/** Lines `WORD<TAB>COUNT` of a word count: distinct words, so sorting whole lines sorts by word. */
function countLines(counts: ReadonlyMap<string, number>): string {
  return [...counts].map(([w, n]) => `${w}\t${n}\n`).join('');
}

/** Records in each of a job's part files, by partition, read through the SDK. */
async function partSizes(client: GrooveClient, jobId: string): Promise<number[]> {
  const sizes: number[] = [];
  for (const part of await client.resultParts(jobId)) {
    let n = 0;
    for await (const _ of client.readPart(jobId, part)) n++;
    sizes[part.partition] = n;
  }
  return sizes;
}

describe('totalOrder over mr://JOB on three workers', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let counts: Map<string, number>;
  let first: string;

  before(async () => {
    cluster = await startCluster({ workers: 3, slots: 2 });
    client = new GrooveClient({ master: cluster.master });
    const files = writeCorpus(path.join(cluster.dir, 'corpus'), 4, 5000, 16);
    counts = referenceWordCount(files);
    first = await client.submit('jobs/wordcount.ts', { inputs: files, partitions: 3, chunkSize: 16 * 1024 });
    await client.wait(first);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  /** Submits the re-sort with `mr submit --partitions 4 --wait`; its id, its `mr results` text, its part sizes. */
  async function resort(inputs: readonly string[]): Promise<{ text: string; sizes: number[] }> {
    const args = ['submit', RESORT, ...inputs.flatMap((i) => ['--input', i]), '--partitions', '4', '--wait'];
    const submitted = await runMr([...args, '--master', cluster.master]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = submitted.stdout.split('\n')[0] as string;
    const results = await runMr(['results', id, '--master', cluster.master]);
    assert.equal(results.code, 0, results.stderr);
    return { text: results.stdout, sizes: await partSizes(client, id) };
  }

  /** Every one of the four partitions holds keys, none more than half of them. */
  function assertSpread(sizes: readonly number[]): void {
    assert.equal(sizes.length, 4);
    const total = sizes.reduce((a, b) => a + b, 0);
    for (const [p, n] of sizes.entries()) assert.ok(n > 0 && n < total / 2, `part ${p}: ${n} of ${total} records`);
  }

  it('re-sorts an earlier job by its keys: four non-empty parts, globally ordered, equal to sort', async () => {
    const { text, sizes } = await resort([`mr://${first}`]);
    const expected = path.join(cluster.dir, 'expected-counts.txt');
    fs.writeFileSync(expected, countLines(counts));
    assert.ok(text === coreutilsSort(expected), 'the concatenated parts are not LC_ALL=C sort of the word count');
    assertSpread(sizes);
  });

  it('samples files and mr:// inputs together', async () => {
    // As many keys as the earlier job has, all between its ASCII and its accented words:
    // unsampled, they would all land in one partition, more than half of the records.
    const random = mulberry32(5);
    const extra = new Map<string, number>();
    while (extra.size < counts.size) extra.set(`~${Math.floor(random() * 1e9).toString(36)}`, extra.size);
    const file = path.join(cluster.dir, 'extra.txt');
    fs.writeFileSync(file, countLines(extra));
    const { text, sizes } = await resort([`mr://${first}`, file]);
    const expected = path.join(cluster.dir, 'expected-mixed.txt');
    fs.writeFileSync(expected, countLines(counts) + countLines(extra));
    assert.ok(text === coreutilsSort(expected), 'the concatenated parts are not LC_ALL=C sort of both inputs');
    assertSpread(sizes);
  });
});
