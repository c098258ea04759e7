import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import type { JobStatus } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import { childPids, startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { referenceWordCount } from '../helpers/reference.js';
import { collectEvents, collectResults } from '../helpers/job-output.js';

describe('failed attempts, crashed and hung pool processes, stragglers, kill', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];
  let expected: Map<string, unknown>;

  before(async () => {
    cluster = await startCluster({
      workers: 3,
      slots: 1,
      masterArgs: ['--speculation-min-ms', '400', '--retry-backoff-ms', '50'],
      workerArgs: ['--task-timeout', '2', '--task-memory-mb', '128'],
      // The last worker is marked faulty for the blacklist fixture; other fixtures ignore it.
      workerEnv: (i) => (i === 2 ? { GROOVE_TEST_FAULTY: '1' } : undefined),
    });
    client = new GrooveClient({ master: cluster.master });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 6, 3000, 3);
    expected = new Map<string, unknown>(referenceWordCount(files));
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  const submit = (
    job: string,
    extra: { maxAttempts?: number; params?: Record<string, string>; speculation?: boolean } = {},
  ): Promise<string> => client.submit(job, { inputs: files, partitions: 3, chunkSize: 16 * 1024, ...extra });

  it('retries a map that throws on its first attempt only; every task commits once', async () => {
    const id = await submit('test/fixtures/throws-first-attempt.ts');
    const status = await client.wait(id);
    // Every map with a record failed once (one input file is empty: its map has no record to fail on).
    assert.ok(
      status.failedAttempts >= status.mapsTotal - 1,
      `${status.failedAttempts} failed attempts for ${status.mapsTotal} maps`,
    );
    assert.deepEqual(await collectResults(client, id), expected);
  });

  it('replaces a pool process that exits and retries its task', async () => {
    const id = await submit('test/fixtures/exits-first-attempt.ts', { speculation: false });
    await client.wait(id);
    const log = await collectEvents(client, id);
    assert.ok(
      log.some((l) => /^task-failed map-00000 .*attempt 0 .*exited with code 3/.test(l)),
      log.join('\n'),
    );
    assert.deepEqual(await collectResults(client, id), expected);
  });

  it('kills a task that makes no progress for the task timeout and retries it', async () => {
    // Without backups, or one would overtake the hung attempt before the timeout.
    const id = await submit('test/fixtures/hangs-first-attempt.ts', { speculation: false });
    await client.wait(id);
    const log = await collectEvents(client, id);
    assert.ok(
      log.some((l) => /^task-failed map-00000 .*attempt 0 .*no progress for \d+ s/.test(l)),
      log.join('\n'),
    );
    assert.deepEqual(await collectResults(client, id), expected);
  });

  it('replaces a pool process that runs out of its memory limit and retries its task', async () => {
    // Without backups: one could overtake the attempt before it runs out of memory.
    const id = await submit('test/fixtures/allocates-without-bound.ts', { speculation: false });
    await client.wait(id);
    const log = await collectEvents(client, id);
    assert.ok(
      log.some((l) => /^task-failed map-00000 .*ran out of memory/.test(l)),
      log.join('\n'),
    );
    assert.deepEqual(await collectResults(client, id), expected);
  });

  it('fails the job with the last error after the attempt limit', async () => {
    const id = await submit('test/fixtures/allocates-without-bound.ts', { maxAttempts: 2, params: { always: '1' } });
    await assert.rejects(client.wait(id), /failed: map-00000 \(input .*\): the pool process ran out of memory/);
    const status = await client.status(id);
    assert.equal(status.state, 'failed');
    assert.equal(status.maxAttempts, 2);
  });

  it('reports a user error with its message and stack', async () => {
    const input = path.join(cluster.dir, 'boom.txt');
    fs.writeFileSync(input, 'ok\nboom\n');
    const id = await client.submit('test/fixtures/throws-in-map.ts', { inputs: [input], maxAttempts: 2 });
    await assert.rejects(client.wait(id), /exploded on purpose/);
    const r = await runMr(['status', id, '--master', cluster.master]);
    assert.match(r.stdout, /error\s+map-00000 .*Error: exploded on purpose at "boom"/);
    assert.match(r.stdout, /^\s+at .*throws-in-map\.ts:\d+/m, r.stdout);
  });

  it("stops giving a job's tasks to a worker that keeps failing them", async () => {
    const id = await submit('test/fixtures/fails-on-marked-worker.ts', { maxAttempts: 4 });
    const status: JobStatus = await client.wait(id);
    const log = await collectEvents(client, id);
    const faulty = cluster.workers[2]?.id as string;
    assert.ok(
      log.some((l) => l.startsWith(`worker-blacklisted worker ${faulty}`)),
      log.join('\n'),
    );
    // After the blacklist no more attempts start there.
    const blacklistedAt = log.findIndex((l) => l.startsWith('worker-blacklisted'));
    assert.ok(
      !log.slice(blacklistedAt).some((l) => l.startsWith('task-started') && l.endsWith(`on ${faulty}`)),
      log.join('\n'),
    );
    assert.ok(status.failedAttempts >= 3);
    assert.deepEqual(await collectResults(client, id), expected);
  });

  it('runs a backup attempt for a straggler; first result wins, the other is cancelled', async () => {
    const started = Date.now();
    const id = await submit('test/fixtures/slow-first-attempt.ts');
    const status = await client.wait(id);
    assert.ok(Date.now() - started < 30_000, 'the job waited for the straggler');
    assert.ok(status.speculativeAttempts >= 1);
    const log = await collectEvents(client, id);
    assert.ok(
      log.some((l) => /^task-succeeded map-00000 attempt 1 \(backup\)/.test(l)),
      log.join('\n'),
    );
    assert.ok(
      log.some((l) => /^attempt-cancelled map-00000 attempt 0 .*another attempt finished first/.test(l)),
      log.join('\n'),
    );
    assert.deepEqual(await collectResults(client, id), expected);
  });

  it("mr kill stops the job's tasks on every worker and frees their slots and files", async () => {
    const id = await submit('test/fixtures/slow-wordcount.ts', { params: { mapSleepMs: '1500' }, speculation: false });
    await waitUntil(
      'maps running on every worker',
      async () => (await client.workers()).filter((w) => w.state === 'alive' && w.running > 0).length >= 2,
      10_000,
    );
    const poolsBefore = cluster.workers.map((w) =>
      childPids(w.daemon.process.pid as number)
        .sort()
        .join(','),
    );
    const r = await runMr(['kill', id, '--master', cluster.master]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /killed/);
    await waitUntil('no slot busy', async () => (await client.workers()).every((w) => w.running === 0), 10_000);
    await waitUntil(
      'the job files are gone on every worker',
      () => cluster.workers.every((w) => !fs.existsSync(path.join(w.dataDir, 'jobs', id))),
      10_000,
    );
    // Running attempts were stopped by killing their pool processes (now replaced).
    const poolsAfter = cluster.workers.map((w) =>
      childPids(w.daemon.process.pid as number)
        .sort()
        .join(','),
    );
    assert.notDeepEqual(poolsAfter, poolsBefore);
    // The freed slots take new work at once.
    const next = await submit('jobs/wordcount.ts');
    await client.wait(next);
    assert.deepEqual(await collectResults(client, next), expected);
  });
});
