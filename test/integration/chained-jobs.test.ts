import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient, resultsOf } from '../../sdk/index.js';
import type { Key } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { referenceWordCount } from '../helpers/reference.js';
import { collectResults } from '../helpers/job-output.js';

const HISTOGRAM = 'test/fixtures/chain-histogram.ts';
const IDENTITY = 'test/fixtures/chain-identity.ts';
/** The master's --locality-wait here: long enough to see, short enough for a test. */
const LOCALITY_WAIT_MS = 1500;

/** How many words of a word count have each count. */
function histogram(counts: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of counts.values()) out.set(String(n), (out.get(String(n)) ?? 0) + 1);
  return out;
}

/** Every record of a job's results, in order, typed as decoded. */
async function records(client: GrooveClient, jobId: string): Promise<[Key, unknown][]> {
  const out: [Key, unknown][] = [];
  for await (const r of client.results(jobId)) out.push(r);
  return out;
}

/** Which worker each map of a job ran its committed attempt on, from its events. */
async function mapWorkers(client: GrooveClient, jobId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of client.watch(jobId)) {
    const m = /^(map-\d+) attempt \d+ on (\S+)/.exec(e.message);
    if (e.type === 'task-succeeded' && m) out.push(m[2] as string);
  }
  return out;
}

describe('chained jobs over mr://JOB on three workers', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];
  let first: string;

  before(async () => {
    cluster = await startCluster({ workers: 3, slots: 2, masterArgs: ['--locality-wait', String(LOCALITY_WAIT_MS)] });
    client = new GrooveClient({ master: cluster.master });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 6, 4000, 7);
    first = await client.submit('jobs/wordcount.ts', { inputs: files, partitions: 5, chunkSize: 16 * 1024 });
    await client.wait(first);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it('reads every partition of the first job where it is: results equal the reference, every map local', async () => {
    const r = await runMr(['submit', HISTOGRAM, '--input', `mr://${first}`, '--master', cluster.master, '--wait']);
    assert.equal(r.code, 0, r.stderr);
    const second = r.stdout.split('\n')[0] as string;
    assert.deepEqual(await collectResults(client, second), histogram(referenceWordCount(files)));
    const status = await client.status(second);
    // One map per partition of the first job, each on the worker holding it (6 slots for 5 maps).
    assert.equal(status.mapsTotal, 5);
    assert.equal(status.mapsWithLocality, 5);
    assert.equal(status.mapsLocal, 5);
    const holders = (await client.resultParts(first)).map((p) => p.workerId).sort();
    assert.deepEqual((await mapWorkers(client, second)).sort(), holders);
    const shown = await runMr(['status', second, '--master', cluster.master]);
    assert.match(shown.stdout, /^locality {2}5 of 5 maps ran on the worker holding their input$/m);
  });

  it('reads one partition with mr://JOB/PARTITION, and takes a job id through the SDK', async () => {
    const parts = await client.resultParts(first);
    const part = parts[3];
    assert.ok(part);
    const expected: [Key, unknown][] = [];
    for await (const rec of client.readPart(first, part)) expected.push(rec);
    const one = await client.submit(IDENTITY, { inputs: [`mr://${first}/3`], partitions: 1 });
    await client.wait(one);
    assert.deepEqual(await records(client, one), expected);
    assert.equal((await client.status(one)).mapsTotal, 1);
    // resultsOf(id) is mr://ID: the whole first job again, through the SDK's typed input.
    const all = await client.submit(IDENTITY, { inputs: [resultsOf(first)], partitions: 1 });
    await client.wait(all);
    assert.deepEqual(await collectResults(client, all), new Map(referenceWordCount(files)));
  });

  it('hands the second job the typed records of the first exactly: numbers, arrays, nested values', async () => {
    const pairs: [Key, unknown][] = [
      ['int', 7],
      ['float', -2.5],
      ['big', 2 ** 53 - 1],
      ['text', 'a\tb\nc'],
      ['list', [1, 'two', [3, null]]],
      ['nested', { a: { b: [true, false] }, n: 0 }],
      ['nothing', null],
      [42, 'numeric key'],
      [['tuple', 2], { k: 'tuple key' }],
      [true, -0.125],
    ];
    const input = path.join(cluster.dir, 'pairs.jsonl');
    fs.writeFileSync(input, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const typed = await client.submit('test/fixtures/emit-json-pairs.ts', { inputs: [input], partitions: 3 });
    await client.wait(typed);
    const chained = await client.submit(IDENTITY, { inputs: [resultsOf(typed)], partitions: 1 });
    await client.wait(chained);
    const want = await records(client, typed);
    assert.equal(want.length, pairs.length);
    const got = await records(client, chained);
    const byKey = (rs: [Key, unknown][]): Map<string, unknown> => new Map(rs.map(([k, v]) => [JSON.stringify(k), v]));
    assert.deepEqual(byKey(got), byKey(pairs));
  });

  it('reads a part file from another worker when the map cannot run on its holder', async () => {
    // Every first attempt fails, so every retry runs on a worker the task has not failed on.
    const id = await client.submit(IDENTITY, { inputs: [`mr://${first}`], partitions: 2, params: { failFirst: '1' } });
    await client.wait(id);
    assert.deepEqual(await collectResults(client, id), new Map(referenceWordCount(files)));
    const status = await client.status(id);
    assert.equal(status.mapsLocal, 0);
    assert.equal(status.mapsWithLocality, 5);
    // Each part file came over the holder's bulk port, whole.
    const bytes = (await client.resultParts(first)).length && status.counters['groove.map.fetch.bytes'];
    const firstStatus = await client.status(first);
    assert.equal(bytes, firstStatus.counters['groove.reduce.output.bytes']);
  });

  it('refuses mr://nope, a malformed URI, and a failed job at submit, with one line naming it', async () => {
    const nope = await runMr(['submit', IDENTITY, '--input', 'mr://nope', '--master', cluster.master]);
    assert.notEqual(nope.code, 0);
    assert.match(
      nope.stderr,
      /^mr: input mr:\/\/nope: no such job nope \(mr jobs lists the jobs the master holds\)\n$/,
    );
    const bad = await runMr(['submit', IDENTITY, '--input', `mr://${first}/x`, '--master', cluster.master]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /the partition must be a number/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    const range = await runMr(['submit', IDENTITY, '--input', `mr://${first}/9`, '--master', cluster.master]);
    assert.match(range.stderr, /has 5 partitions \(0 to 4\), not 9/);
    const boom = path.join(cluster.dir, 'boom.txt');
    fs.writeFileSync(boom, 'fine\nboom\n');
    const failed = await client.submit('test/fixtures/throws-in-map.ts', { inputs: [boom], maxAttempts: 1 });
    await assert.rejects(client.wait(failed));
    const r = await runMr(['submit', IDENTITY, '--input', `mr://${failed}`, '--master', cluster.master]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`input mr://${failed}: job ${failed} failed: .*so it has no results to read`));
  });

  it('runs a map elsewhere once its busy holder kept it waiting for the locality wait', async () => {
    const parts = await client.resultParts(first);
    const holder = parts[0]?.workerId as string;
    // Four gated maps over partition 0 fill the holder (2 slots, 2 tasks held per slot).
    const gate = path.join(cluster.dir, 'busy-gate');
    const busy = await client.submit(IDENTITY, { inputs: Array(4).fill(`mr://${first}/0`), params: { gate } });
    await waitUntil('the holder is busy', async () => {
      const w = (await client.workers()).find((x) => x.workerId === holder);
      return w?.running === 4;
    });
    const started = Date.now();
    const waiting = await client.submit(IDENTITY, { inputs: [`mr://${first}/0`], partitions: 1 });
    await client.wait(waiting);
    const took = Date.now() - started;
    const status = await client.status(waiting);
    // It waited for the holder (bounded), then ran on an idle worker, reading the file from the holder.
    assert.equal(status.mapsLocal, 0);
    assert.ok(took >= LOCALITY_WAIT_MS, `ran after ${took} ms, before the locality wait`);
    const [ranOn] = await mapWorkers(client, waiting);
    assert.notEqual(ranOn, holder);
    assert.ok((status.counters['groove.map.fetch.bytes'] ?? 0) > 0);
    fs.writeFileSync(gate, '');
    await client.wait(busy);
    assert.equal((await client.status(busy)).mapsLocal, 4);
  });

  it('fails the chained job with one line naming the partition when its holder is killed, bounded', async () => {
    const gate = path.join(cluster.dir, 'gate');
    const id = await client.submit(IDENTITY, { inputs: [`mr://${first}`], partitions: 2, params: { gate } });
    await waitUntil('the chained maps started', async () => (await client.status(id)).state === 'running');
    // A job still running has no results yet: refused, saying so.
    const early = await runMr(['submit', IDENTITY, '--input', `mr://${id}`, '--master', cluster.master]);
    assert.notEqual(early.code, 0);
    assert.match(
      early.stderr,
      new RegExp(`^mr: input mr://${id}: job ${id} is still running; wait until it succeeded`),
    );
    const parts = await client.resultParts(first);
    const victim = cluster.workers.find((w) => w.id === parts[0]?.workerId);
    assert.ok(victim);
    const killedAt = Date.now();
    victim.daemon.process.kill('SIGKILL');
    await waitUntil('the chained job failed', async () => (await client.status(id)).state === 'failed', 30_000);
    const status = await client.status(id);
    assert.ok(Date.now() - killedAt < 30_000);
    assert.match(status.error, new RegExp(`^input mr://${first}/\\d: its part file was lost with worker ${victim.id}`));
    assert.doesNotMatch(status.error, /\n/);
    fs.writeFileSync(gate, '');
    // And a later job over those results is refused at submit, naming the lost partition.
    const again = await runMr(['submit', IDENTITY, '--input', `mr://${first}`, '--master', cluster.master]);
    assert.notEqual(again.code, 0);
    assert.match(
      again.stderr,
      new RegExp(`input mr://${first}/\\d: its part file was on worker ${victim.id}, which is gone`),
    );
  });
});
