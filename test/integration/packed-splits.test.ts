import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runMr } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { collectEvents, collectResults } from '../helpers/job-output.js';
import { parseJsonl, referenceGrep, referenceWordCount } from '../helpers/reference.js';
import { GrooveClient } from '../../sdk/index.js';

/** `maps D/T` of `mr status` output: the job's map tasks as the user sees them. */
async function mapTasks(master: string, jobId: string): Promise<number> {
  const r = await runMr(['status', jobId, '--master', master]);
  assert.equal(r.code, 0, r.stderr);
  const m = /^maps\s+(\d+)\/(\d+)$/m.exec(r.stdout);
  assert.ok(m, `unexpected mr status output:\n${r.stdout}`);
  assert.equal(m[1], m[2], 'every map task is done');
  return Number(m[2]);
}

/** Runs `mr submit ARGS --wait` and returns the job id. */
async function submitAndWait(master: string, args: readonly string[]): Promise<string> {
  const r = await runMr(['submit', ...args, '--master', master, '--wait']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.split('\n')[0] ?? '';
  assert.ok(id, r.stdout);
  return id;
}

describe('small files packed into few splits', () => {
  const SLOTS = 4;
  let cluster: TestCluster;
  let client: GrooveClient;
  let dir: string;
  let files: string[];
  let bytes: number;

  before(async () => {
    // Two workers of two slots: the master sees 4 slots at submit.
    cluster = await startCluster({ workers: 2, slots: 2 });
    client = new GrooveClient({ master: cluster.master, security: cluster.security });
    dir = path.join(cluster.dir, 'small');
    // 2,000 files of about 150 bytes (with CRLF, blank lines, one without a final newline, one empty).
    files = writeCorpus(dir, 2000, 25, 14);
    bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it('packs 2,000 files into a few map tasks, and the word count equals the reference', async () => {
    const jobId = await submitAndWait(cluster.master, ['jobs/wordcount.ts', '--input', dir, '--partitions', '3']);
    const maps = await mapTasks(cluster.master, jobId);
    // ~300 KB over 4 slots: 75 KB splits, at most 1,000 files each; without packing, 2,000 tasks.
    assert.ok(maps >= SLOTS && maps <= 2 * SLOTS, `${maps} map tasks for 2,000 files of ${bytes} bytes`);
    const events = await collectEvents(client, jobId);
    assert.ok(
      events.includes(`submitted ${maps} map tasks over 2000 files, 3 reduce tasks`),
      `no submitted event with the counts:\n${events.slice(0, 3).join('\n')}`,
    );
    const status = await client.status(jobId);
    assert.equal(status.counters['groove.map.input.bytes'], bytes, 'bytesIn adds up over the pieces');
    const cli = await runMr(['results', jobId, '--master', cluster.master, '--format', 'jsonl']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(parseJsonl(cli.stdout), new Map<string, unknown>(referenceWordCount(files)));
  });

  it("gives every record its own file's name in ctx.input", async () => {
    // grep keys each matching line by [ctx.input, line]; '^' matches every line, blank ones too.
    const jobId = await client.submit('jobs/grep.ts', { inputs: [dir], partitions: 2, params: { pattern: '^' } });
    const status = await client.wait(jobId);
    assert.ok(status.mapsTotal <= 2 * SLOTS, `${status.mapsTotal} map tasks`);
    const expected = referenceGrep(files, /^/);
    let lines = 0;
    for (const n of expected.values()) lines += n;
    assert.equal(status.counters['groove.map.input.records'], lines, 'recordsIn adds up over the pieces');
    assert.deepEqual(await collectResults(client, jobId), new Map<string, unknown>(expected));
  });

  it('gives a map task per file with --no-pack-inputs, and cuts at an explicit --chunk-size', async () => {
    const some = files.slice(0, 120);
    const unpacked = await submitAndWait(cluster.master, ['jobs/wordcount.ts', '--input', ...some, '--no-pack-inputs']);
    assert.equal(await mapTasks(cluster.master, unpacked), some.length);
    assert.deepEqual(await collectResults(client, unpacked), new Map<string, unknown>(referenceWordCount(some)));
    // 4 KiB is below the 64 KiB the master would choose itself: the user's size wins.
    const small = await submitAndWait(cluster.master, ['jobs/wordcount.ts', '--input', dir, '--chunk-size', '4KiB']);
    const maps = await mapTasks(cluster.master, small);
    assert.ok(maps >= Math.floor(bytes / 4096) && maps < 2 * Math.ceil(bytes / 4096), `${maps} map tasks at 4 KiB`);
    assert.deepEqual(await collectResults(client, small), new Map<string, unknown>(referenceWordCount(files)));
  });

  it('cuts a small single file for every slot, unless --chunk-size is given', async () => {
    const [one] = writeCorpus(path.join(cluster.dir, 'one'), 1, 200_000, 3);
    assert.ok(one);
    const size = fs.statSync(one).size;
    assert.ok(size > SLOTS * 64 * 1024 && size < 64 * 1024 * 1024, `${size} bytes`);
    const spread = await submitAndWait(cluster.master, ['jobs/wordcount.ts', '--input', one]);
    assert.equal(await mapTasks(cluster.master, spread), SLOTS);
    const whole = await submitAndWait(cluster.master, ['jobs/wordcount.ts', '--input', one, '--chunk-size', '64MiB']);
    assert.equal(await mapTasks(cluster.master, whole), 1);
    const expected = new Map<string, unknown>(referenceWordCount([one]));
    assert.deepEqual(await collectResults(client, spread), expected);
    assert.deepEqual(await collectResults(client, whole), expected);
  });
});
