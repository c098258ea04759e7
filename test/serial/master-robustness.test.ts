import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient, packJobFile } from '../../sdk/index.js';
import { startDaemon, runMr } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { collectResults } from '../helpers/job-output.js';
import { referenceWordCount } from '../helpers/reference.js';

/** Files in a directory (none when it does not exist). */
function filesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The master keeps jobs apart, keeps no packs it does not need, and finds a worker that
 * comes back on another port; a worker it cannot reach is refused at the door.
 */
describe('master robustness', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];

  before(async () => {
    cluster = await startCluster({ workers: 2, slots: 1 });
    client = new GrooveClient({ master: cluster.master });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 24, 400, 11);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it('gives parallel submissions of one name their own ids and their own results', { timeout: 120_000 }, async () => {
    const packed = await packJobFile('jobs/wordcount.ts');
    const ids = await Promise.all(files.map((f) => client.submitPacked(packed, { inputs: [f], partitions: 1 })));
    assert.equal(new Set(ids).size, files.length, `ids: ${ids.join(' ')}`);
    for (const id of ids) assert.match(id, /^wordcount-/);
    await Promise.all(ids.map((id) => client.wait(id)));
    for (const [i, id] of ids.entries()) {
      assert.deepEqual(
        await collectResults(client, id),
        new Map<string, unknown>(referenceWordCount([files[i] as string])),
        `job ${id} over ${files[i]}`,
      );
    }
    for (const id of ids) await client.purge(id);
  });

  it(
    'stores no pack for a refused submission, and deletes a pack with the last job using it',
    { timeout: 60_000 },
    async () => {
      const masterPacks = path.join(cluster.dir, 'master', 'packs');
      const workerPacks = cluster.workers.map((w) => path.join(w.dataDir, 'packs'));
      await waitUntil(
        'the packs of the earlier jobs are gone',
        () => filesIn(masterPacks).length === 0 && workerPacks.every((d) => filesIn(d).length === 0),
        10_000,
      );
      // The CLI refuses it as a usage error; the master refuses it from any client (the SDK here).
      const tiny = await runMr([
        'submit',
        'jobs/wordcount.ts',
        '--input',
        files[0] as string,
        '--chunk-size',
        '1',
        '--master',
        cluster.master,
      ]);
      assert.equal(tiny.code, 2);
      assert.equal(tiny.stderr.trim().split('\n').length, 1, tiny.stderr);
      await assert.rejects(
        client.submit('jobs/wordcount.ts', { inputs: [files[0] as string], chunkSize: 1 }),
        /: chunkSize must be an integer number of bytes from 4096 \(4 KiB\) to 1099511627776 \(1 TiB\), got 1$/,
      );
      const missing = await runMr([
        'submit',
        'jobs/wordcount.ts',
        '--input',
        path.join(cluster.dir, 'no-such-file'),
        '--master',
        cluster.master,
      ]);
      assert.equal(missing.code, 1, missing.stderr);
      assert.deepEqual(filesIn(masterPacks), [], 'a refused submission left its pack');

      const packed = await packJobFile('jobs/wordcount.ts');
      const a = await client.submitPacked(packed, { inputs: files.slice(0, 4), partitions: 2 });
      const b = await client.submitPacked(packed, { inputs: files.slice(4, 8), partitions: 2 });
      await client.wait(a);
      await client.wait(b);
      assert.equal(filesIn(masterPacks).length, 1, 'two jobs of one pack store it once');
      await client.purge(a);
      assert.equal(filesIn(masterPacks).length, 1, 'the pack went while a job still uses it');
      await client.purge(b);
      assert.deepEqual(filesIn(masterPacks), []);
      await waitUntil(
        'the workers deleted their cached copies',
        () => workerPacks.every((d) => filesIn(d).length === 0),
        10_000,
      );
    },
  );

  it('deletes the directory of a failed attempt once it ended', { timeout: 60_000 }, async () => {
    const id = await client.submit('test/fixtures/throws-first-attempt.ts', {
      inputs: files.slice(0, 6),
      partitions: 2,
      chunkSize: 8 * 1024,
      speculation: false,
    });
    const status = await client.wait(id);
    assert.ok(status.failedAttempts >= 1, 'no attempt failed');
    const dirs = (): string[] => cluster.workers.flatMap((w) => filesIn(path.join(w.dataDir, 'jobs', id)));
    await waitUntil(
      `only the ${status.mapsTotal + status.reducesTotal} committed attempt directories are left`,
      () => dirs().length === status.mapsTotal + status.reducesTotal,
      10_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${dirs().join(' ')}`);
    });
    await client.purge(id);
  });

  it('serves the results of a worker restarted on a new port', { timeout: 90_000 }, async () => {
    const id = await client.submit('jobs/wordcount.ts', { inputs: files, partitions: 3, chunkSize: 8 * 1024 });
    await client.wait(id);
    const expected = new Map<string, unknown>(referenceWordCount(files));
    assert.deepEqual(await collectResults(client, id), expected);
    // Restart every worker on its data dir with --port 0: each comes back on another port.
    const before = new Map((await client.workers()).map((w) => [w.workerId, w.dataAddress]));
    for (const w of [...cluster.workers]) {
      await w.daemon.stop();
      const { daemon } = await startDaemon(
        [
          'worker',
          '--master',
          cluster.master,
          '--host',
          '127.0.0.1',
          '--port',
          '0',
          '--slots',
          '1',
          '--data-dir',
          w.dataDir,
        ],
        /groove worker (\S+) serving data on (\S+),/,
      );
      cluster.workers.push({ ...w, daemon });
    }
    await waitUntil('both workers are back on new addresses', async () => {
      const now = await client.workers();
      return [...before].every(([wid, addr]) =>
        now.some((w) => w.workerId === wid && w.state === 'alive' && w.dataAddress !== addr),
      );
    });
    assert.deepEqual(await collectResults(client, id), expected);
  });

  it(
    'refuses a worker whose advertised address the master cannot reach, and the worker exits with one line',
    { timeout: 30_000 },
    async () => {
      const started = Date.now();
      const dataDir = path.join(cluster.dir, 'unreachable');
      // 127.0.0.2 is loopback like the master, but the worker listens on 127.0.0.1 only: nothing answers there.
      const r = await runMr(
        [
          'worker',
          '--master',
          cluster.master,
          '--host',
          '127.0.0.1',
          '--port',
          '0',
          '--advertise',
          '127.0.0.2',
          '--data-dir',
          dataDir,
        ],
        { timeoutMs: 20_000 },
      );
      assert.equal(r.code, 1, r.stderr);
      const last = r.stderr.trim().split('\n').pop() ?? '';
      assert.match(
        last,
        /^mr: the master at \S+ refused this worker: the master cannot reach worker \S+ at its data address 127\.0\.0\.2:\d+ \(connect ECONNREFUSED 127\.0\.0\.2:\d+\); start the worker with --advertise/,
      );
      assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
      assert.ok(
        !(await client.workers()).some((w) => w.dataAddress.startsWith('127.0.0.2:')),
        'the refused worker is listed',
      );
    },
  );
});
