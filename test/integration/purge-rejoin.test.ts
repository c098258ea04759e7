import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { runMr, startDaemon } from '../helpers/cli.js';
import type { Daemon } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';

/**
 * `mr purge` of a job while one of its workers is down: the others delete the job's files
 * at once, and the one that was away deletes them when it rejoins (the master tells it in
 * its registration), though it keeps directories of jobs no master knows for the retention.
 */
describe('purge while a worker is down', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let rejoined: Daemon | undefined;

  before(async () => {
    cluster = await startCluster({ workers: 3, slots: 1 });
    client = new GrooveClient({ master: cluster.master });
  });
  after(async () => {
    client.close();
    await rejoined?.stop();
    await cluster.stop();
  });

  it("the worker's files of the purged job are gone when it rejoins", async () => {
    const files = writeCorpus(path.join(cluster.dir, 'corpus'), 6, 500);
    const id = await client.submit('jobs/wordcount.ts', {
      inputs: files,
      partitions: 3,
      packInputs: false,
      speculation: false,
    });
    await client.wait(id);
    const jobDir = (dataDir: string): string => path.join(dataDir, 'jobs', id);
    const holders = cluster.workers.filter((w) => fs.existsSync(jobDir(w.dataDir)));
    assert.ok(holders.length >= 2, `${holders.length} workers hold files of the job`);
    const [away, ...others] = holders as [(typeof holders)[0], ...typeof holders];
    await away.daemon.stop();
    await waitUntil('the master saw the worker go', async () =>
      (await client.workers()).some((w) => w.workerId === away.id && w.state !== 'alive'),
    );

    const purge = await runMr(['purge', '--master', cluster.master, id]);
    assert.equal(purge.code, 0, purge.stderr);
    await waitUntil('the connected workers deleted the job', () =>
      others.every((w) => !fs.existsSync(jobDir(w.dataDir))),
    );
    assert.ok(fs.existsSync(jobDir(away.dataDir)), 'the worker away still has them');
    // A job directory of a job no master ever held: an orphan, kept for the retention (7 days).
    const orphan = path.join(away.dataDir, 'jobs', 'unknown-20260101-000000-1-abcd');
    fs.mkdirSync(path.join(orphan, 'map-00000-a1'), { recursive: true });

    ({ daemon: rejoined } = await startDaemon(
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
        away.dataDir,
      ],
      /registered with the master/,
    ));
    await waitUntil('the rejoined worker deleted the purged job', () => !fs.existsSync(jobDir(away.dataDir)));
    await waitUntil(
      'it kept the orphan',
      () => rejoined?.log().includes('keeping job directories no master knows') === true,
    );
    assert.ok(fs.existsSync(orphan));
  });
});
