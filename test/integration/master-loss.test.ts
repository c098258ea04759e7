import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { MR, mrEnv, ROOT, startDaemon } from '../helpers/cli.js';
import type { Daemon, MrResult } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { referenceWordCount } from '../helpers/reference.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * Clients that wait on a job ride through the loss of the master: `mr submit --wait` and
 * `mr wait` reconnect when the link to it is cut (and the job ends meanwhile), print one
 * line while they do, and exit 0; a master that comes back without the job (restarted
 * without its state) fails them in one line, and one that stays away fails them after
 * --reconnect-timeout. The workers keep the lost job's files: no master they know of
 * said the job is gone.
 */
const GATED = 'test/fixtures/gated-wordcount.ts';

/** An `mr` running in the background, its output readable while it runs. */
interface Running {
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<MrResult>;
}

function spawnMr(args: readonly string[]): Running {
  const child = spawn(process.execPath, [MR, ...args], { cwd: ROOT, env: mrEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const exited = new Promise<MrResult>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr: err });
    }),
  );
  return { stdout: () => out, stderr: () => err, exited };
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('clients waiting on a job through the loss of the master', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];
  let restarted: Daemon | undefined;

  before(async () => {
    cluster = await startCluster({ workers: 2, slots: 1, masterArgs: ['--retry-backoff-ms', '50'] });
    client = new GrooveClient({ master: cluster.master });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 3, 2000);
  });
  after(async () => {
    client.close();
    await restarted?.stop();
    await cluster.stop();
  });

  const submitArgs = (gate: string, master: string): string[] => [
    'submit',
    GATED,
    '--master',
    master,
    '-i',
    ...files,
    '-p',
    '2',
    '--no-pack-inputs',
    '--no-speculation',
    '--param',
    `mapGate=${gate}`,
    '--param',
    'ungatedMap=map-00000',
  ];

  it('mr submit --wait and mr wait reconnect across a cut link and exit 0 when the job succeeded meanwhile', async () => {
    const proxy = await TcpProxy.start(cluster.master);
    try {
      const gate = path.join(cluster.dir, 'gate-cut');
      const submitter = spawnMr([...submitArgs(gate, proxy.address), '--wait']);
      await waitUntil('the job id printed', () => /\S+\n/.test(submitter.stdout()));
      const id = submitter.stdout().trim();
      const waiter = spawnMr(['wait', id, '--master', proxy.address]);
      const follower = spawnMr(['events', id, '--master', proxy.address]);
      // Both follow the job: each printed a progress line from the stream.
      await waitUntil(
        'both watching',
        () =>
          waiter.stderr().includes(`${id}: running`) &&
          submitter.stderr().includes(`${id}: running`) &&
          follower.stdout().includes(' submitted '),
      );
      proxy.cut();
      const notice = `master ${proxy.address} unreachable, reconnecting...`;
      await waitUntil(
        'both noticed the loss',
        () => waiter.stderr().includes(notice) && submitter.stderr().includes(notice),
      );
      // The job finishes while nobody watches it.
      fs.writeFileSync(gate, '');
      await waitUntil('the job succeeded', async () => (await client.status(id)).state === 'succeeded');
      proxy.restore();
      const [s, w, e] = await Promise.all([submitter.exited, waiter.exited, follower.exited]);
      assert.equal(s.code, 0, s.stderr);
      assert.equal(w.code, 0, w.stderr);
      assert.equal(e.code, 0, e.stderr);
      // The events after the reconnect follow on from those before it: the replayed history is not printed twice.
      const lines = e.stdout.trim().split('\n');
      assert.equal(new Set(lines).size, lines.length, 'no event printed twice');
      assert.equal(lines.filter((l) => l.includes(' submitted ')).length, 1);
      assert.match(lines.at(-1) as string, / state succeeded$/);
      assert.equal(w.stdout, `${id} succeeded\n`);
      assert.equal(count(s.stderr, notice), 1, 'one line per outage, not one per try');
      assert.equal(count(w.stderr, notice), 1, 'one line per outage, not one per try');
      const got = new Map<string, unknown>();
      for await (const [k, v] of client.results(id)) got.set(k as string, v);
      assert.deepEqual(got, new Map<string, unknown>(referenceWordCount(files)));
    } finally {
      await proxy.close();
    }
  });

  it('a master restarted without its state: waiters fail in one line, within --reconnect-timeout, and workers keep the files', async () => {
    const gate = path.join(cluster.dir, 'gate-never');
    const submitted = spawnMr(submitArgs(gate, cluster.master));
    await waitUntil('the job id printed', () => /\S+\n/.test(submitted.stdout()));
    const id = submitted.stdout().trim();
    await waitUntil('map-00000 committed', async () => (await client.status(id)).mapsDone >= 1);
    const mapDir = (dataDir: string): string | undefined => {
      const dir = path.join(dataDir, 'jobs', id);
      const name = fs.existsSync(dir) ? fs.readdirSync(dir).find((d) => d.startsWith('map-00000-')) : undefined;
      return name && path.join(dir, name);
    };
    const holder = cluster.workers.find((w) => mapDir(w.dataDir) !== undefined);
    assert.ok(holder, 'a worker holds map-00000');
    const kept = mapDir(holder.dataDir) as string;
    const quick = spawnMr(['wait', id, '--master', cluster.master, '--reconnect-timeout', '1s']);
    const patient = spawnMr(['wait', id, '--master', cluster.master, '--reconnect-timeout', '60s']);
    await waitUntil(
      'both watching',
      () => quick.stderr().includes(`${id}: running`) && patient.stderr().includes(`${id}: running`),
    );

    const killedAt = Date.now();
    cluster.masterDaemon.process.kill('SIGKILL');
    const gaveUp = await quick.exited;
    assert.equal(gaveUp.code, 1, gaveUp.stderr);
    const gaveUpLine = gaveUp.stderr.trim().split('\n').at(-1) as string;
    assert.match(
      gaveUpLine,
      new RegExp(`^mr: lost the master at ${cluster.master} while waiting for job ${id}: still unreachable after 1s`),
    );
    assert.ok(Date.now() - killedAt < 10_000, `gave up ${Date.now() - killedAt} ms after the kill`);

    // The same address, a fresh data dir: a master without the job.
    const port = cluster.master.split(':')[1] as string;
    ({ daemon: restarted } = await startDaemon(
      ['master', '--host', '127.0.0.1', '--port', port, '--data-dir', path.join(cluster.dir, 'master-2')],
      /listening on/,
    ));
    const lost = await patient.exited;
    assert.equal(lost.code, 1, lost.stderr);
    const lines = lost.stderr.trim().split('\n');
    assert.equal(count(lost.stderr, `master ${cluster.master} unreachable, reconnecting...`), 1);
    assert.equal(
      lines.at(-1),
      `mr: the master at ${cluster.master} came back without job ${id}: it was restarted without its state, so the job is lost; submit it again`,
    );

    // The worker registers with the new master, which knows nothing of the job: its files stay (for the retention).
    await waitUntil(
      'the holder registered again and cleaned up',
      () => count(holder.daemon.log(), 'keeping job directories no master knows') >= 1,
    );
    assert.ok(fs.existsSync(kept), `${kept} is gone`);
  });
});
