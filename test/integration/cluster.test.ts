import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { parseJsonl, referenceGrep, referenceInvertedIndex, referenceWordCount } from '../helpers/reference.js';
import { collectResults } from '../helpers/job-output.js';

/** Submits through the CLI with --wait and returns the job id from the first stdout line. */
async function submitAndWait(master: string, args: readonly string[]): Promise<string> {
  const r = await runMr(['submit', ...args, '--master', master, '--wait']);
  assert.equal(r.code, 0, r.stderr);
  const jobId = r.stdout.split('\n')[0] ?? '';
  assert.match(jobId, /^[A-Za-z0-9_-]+$/);
  return jobId;
}

describe('a cluster of one master and three workers, started through the CLI', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];

  before(async () => {
    cluster = await startCluster({ workers: 3, slots: 1 });
    client = new GrooveClient({ master: cluster.master });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 10, 6000, 11);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it('runs a word count with 20+ map tasks and 4 partitions; CLI and SDK results equal an independent count', async () => {
    const jobId = await submitAndWait(cluster.master, [
      'jobs/wordcount.ts',
      '--input',
      ...files,
      '--partitions',
      '4',
      '--chunk-size',
      '16KiB',
    ]);
    const status = await client.status(jobId);
    assert.equal(status.state, 'succeeded');
    assert.ok(status.mapsTotal >= 20, `only ${status.mapsTotal} map tasks`);
    assert.equal(status.reducesTotal, 4);

    const expected = new Map<string, unknown>(referenceWordCount(files));
    const cli = await runMr(['results', jobId, '--master', cluster.master, '--format', 'jsonl']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(parseJsonl(cli.stdout), expected);
    assert.deepEqual(await collectResults(client, jobId), expected);

    // The work really was spread: map tasks ran on every worker, so reducers fetched over the network.
    const workersUsed = new Set<string>();
    for await (const e of client.watch(jobId)) {
      const m = /^map-\d+ attempt \d+ on (\S+)$/.exec(e.message);
      if (e.type === 'task-started' && m) workersUsed.add(m[1] as string);
    }
    assert.equal(workersUsed.size, 3);
    // So the counters of the remote fetches are set: part of the shuffle, taking some time.
    const c = status.counters;
    const fetched = c['groove.reduce.fetch.bytes'] ?? 0;
    assert.ok(
      fetched > 0 && fetched < (c['groove.reduce.shuffle.bytes'] ?? 0),
      `fetched ${fetched} of ${c['groove.reduce.shuffle.bytes']} bytes shuffled`,
    );
    assert.ok((c['groove.reduce.fetch.millis'] ?? 0) > 0, `fetch.millis ${c['groove.reduce.fetch.millis']}`);
  });

  it('runs grep with a pattern param; results equal an independent grep', async () => {
    const jobId = await submitAndWait(cluster.master, [
      'jobs/grep.ts',
      '--input',
      ...files,
      '--param',
      'pattern=^(the|THE)\\b|日本',
      '--chunk-size',
      '32KiB',
    ]);
    const expected = referenceGrep(files, /^(the|THE)\b|日本/);
    assert.ok(expected.size > 10, 'the pattern should match something');
    assert.deepEqual(await collectResults(client, jobId), new Map<string, unknown>(expected));
    const cli = await runMr(['results', jobId, '--master', cluster.master, '--format', 'jsonl']);
    assert.deepEqual(parseJsonl(cli.stdout), new Map<string, unknown>(expected));
  });

  it('builds an inverted index; results equal an independent index', async () => {
    const jobId = await submitAndWait(cluster.master, [
      'jobs/invertedindex.ts',
      '--input',
      path.join(cluster.dir, 'corpus'),
      '--partitions',
      '3',
      '--chunk-size',
      '32KiB',
    ]);
    const expected = new Map<string, unknown>(referenceInvertedIndex(files));
    assert.deepEqual(await collectResults(client, jobId), expected);
    const cli = await runMr(['results', jobId, '--master', cluster.master, '--format', 'jsonl']);
    assert.deepEqual(parseJsonl(cli.stdout), expected);
  });

  it('spills past a small sort buffer and reports it in the job counters', async () => {
    // One file, so one map task whose own output is ten times its 64 KiB buffer.
    const big = writeCorpus(path.join(cluster.dir, 'big'), 1, 90_000, 5);
    const jobId = await submitAndWait(cluster.master, [
      'test/fixtures/wordcount-no-combiner.ts',
      '--input',
      ...big,
      '--sort-buffer-mb',
      '0.0625',
      '--partitions',
      '2',
      // One map for all of it: without a chunk size the master would cut it for every slot.
      '--chunk-size',
      '64MiB',
    ]);
    const status = await client.status(jobId);
    const c = status.counters;
    const intermediate = c['groove.map.output.bytes'] ?? 0;
    assert.ok(intermediate >= 10 * 64 * 1024, `intermediate data only ${intermediate} bytes`);
    assert.equal(status.mapsTotal, 1);
    assert.ok((c['groove.map.spills'] ?? 0) >= 10, `only ${c['groove.map.spills']} spills`);
    assert.equal(c['tokens'], c['groove.map.output.records']);
    assert.deepEqual(await collectResults(client, jobId), new Map<string, unknown>(referenceWordCount(big)));
  });

  it("submit --wait exits non-zero with the user's error when map throws", async () => {
    const input = path.join(cluster.dir, 'boom.txt');
    fs.writeFileSync(input, 'ok\nboom\n');
    const r = await runMr([
      'submit',
      'test/fixtures/throws-in-map.ts',
      '--input',
      input,
      '--master',
      cluster.master,
      '--wait',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout.split('\n')[0] ?? '', /^throws-in-map-/);
    const last = r.stderr.trim().split('\n').pop() ?? '';
    assert.match(
      last,
      /^mr: job \S+ failed: map-00000 \(input .*boom\.txt, bytes 0-8\): map threw on record 2 of the chunk: Error: exploded on purpose at "boom" \(at test\/fixtures\/throws-in-map\.ts:7\)$/,
    );
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  });

  it('lists jobs and workers, shows status and events, kills and purges', async () => {
    const jobs = await runMr(['jobs', '--master', cluster.master]);
    assert.equal(jobs.code, 0);
    assert.match(jobs.stdout, /^JOB +STATE +MAP +REDUCE /);
    assert.match(jobs.stdout, /^wordcount-\S+ +succeeded +\d+\/\d+ /m);
    const workers = await runMr(['workers', '--master', cluster.master]);
    // A header, then a row per worker.
    assert.equal(workers.stdout.trim().split('\n').length, 4);
    assert.match(workers.stdout, /^WORKER +ADDRESS +HOST +STATE +SLOTS +LAST SEEN$/m);
    assert.equal(workers.stdout.match(/^w-\S+ +127\.0\.0\.1:\d+ +\S+ +alive /gm)?.length, 3);

    const submitted = await runMr(['submit', 'jobs/wordcount.ts', '--input', ...files, '--master', cluster.master]);
    const jobId = submitted.stdout.trim();
    const killed = await runMr(['kill', jobId, '--master', cluster.master]);
    assert.equal(killed.code, 0, killed.stderr);
    const status = await runMr(['status', jobId, '--master', cluster.master]);
    assert.match(status.stdout, /state\s+(killed|succeeded)/);
    const events = await runMr(['events', jobId, '--master', cluster.master]);
    assert.match(events.stdout, /submitted/);
    const purged = await runMr(['purge', jobId, '--master', cluster.master]);
    assert.equal(purged.code, 0, purged.stderr);
    const gone = await runMr(['status', jobId, '--master', cluster.master]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /^mr: no such job: /);
  });

  it('says so in one line when the master is unreachable', async () => {
    const r = await runMr(['jobs', '--master', '127.0.0.1:1']);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), 'mr: cannot reach the master at 127.0.0.1:1');
  });
});
