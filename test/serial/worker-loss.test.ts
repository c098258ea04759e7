import { after, afterEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { startDaemon } from '../helpers/cli.js';
import type { Daemon } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { referenceWordCount } from '../helpers/reference.js';
import { collectEvents, collectResults } from '../helpers/job-output.js';

function exited(d: Daemon): Promise<number | null> {
  const p = d.process;
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((resolve) => p.once('exit', (code) => resolve(code)));
}

describe('losing workers and the master', () => {
  let cluster: TestCluster | undefined;
  let client: GrooveClient | undefined;
  afterEach(async () => {
    client?.close();
    await cluster?.stop();
    cluster = undefined;
    client = undefined;
  });

  const setUp = async (workers: number): Promise<{ c: TestCluster; cl: GrooveClient; files: string[] }> => {
    const c = await startCluster({ workers, slots: 1, masterArgs: ['--worker-timeout', '4'] });
    cluster = c;
    const cl = new GrooveClient({ master: c.master });
    client = cl;
    return { c, cl, files: writeCorpus(path.join(c.dir, 'corpus'), 8, 3000, 21) };
  };

  it('kill -9 of a worker during the map phase: the job finishes with identical results', async () => {
    const { c, cl, files } = await setUp(3);
    const id = await cl.submit('test/fixtures/slow-wordcount.ts', {
      inputs: files,
      partitions: 4,
      chunkSize: 8 * 1024,
      params: { mapSleepMs: '120' },
      speculation: false,
    });
    await waitUntil('some maps done', async () => (await cl.status(id)).mapsDone >= 4, 30_000);
    const victim = c.workers[0];
    assert.ok(victim);
    assert.ok((await cl.status(id)).mapsDone < (await cl.status(id)).mapsTotal, 'the map phase ended before the kill');
    victim.daemon.process.kill('SIGKILL');
    await cl.wait(id);
    const log = await collectEvents(cl, id);
    assert.ok(
      log.some((l) => l.includes(`with worker ${victim.id}`) || l.includes(`was on worker ${victim.id}`)),
      log.join('\n'),
    );
    assert.deepEqual(await collectResults(cl, id), new Map<string, unknown>(referenceWordCount(files)));
  });

  it('kill -9 of a worker after all maps finished: its map outputs are recomputed', async () => {
    const { c, cl, files } = await setUp(3);
    const id = await cl.submit('test/fixtures/slow-wordcount.ts', {
      inputs: files,
      partitions: 4,
      chunkSize: 16 * 1024,
      params: { reduceSleepMs: '1500' },
      speculation: false,
    });
    await waitUntil(
      'every map done',
      async () => {
        const s = await cl.status(id);
        return s.mapsDone === s.mapsTotal;
      },
      30_000,
    );
    const victim = c.workers[1];
    assert.ok(victim);
    victim.daemon.process.kill('SIGKILL');
    await cl.wait(id);
    const log = await collectEvents(cl, id);
    assert.ok(
      log.some((l) => l.startsWith('output-lost map-') && l.includes(victim.id)),
      log.join('\n'),
    );
    assert.deepEqual(await collectResults(cl, id), new Map<string, unknown>(referenceWordCount(files)));
  });

  it('a reducer that cannot fetch a map output reports it, and the master re-runs that map', async () => {
    const { c, cl, files } = await setUp(2);
    const id = await cl.submit('test/fixtures/slow-wordcount.ts', {
      inputs: files,
      partitions: 2,
      chunkSize: 16 * 1024,
      params: { mapSleepMs: '300' },
      speculation: false,
    });
    let holder = '';
    for await (const e of cl.watch(id)) {
      const m = /^map-00000 attempt 0 on (\S+) /.exec(e.message);
      if (e.type === 'task-succeeded' && m) {
        holder = m[1] as string;
        break;
      }
    }
    const worker = c.workers.find((w) => w.id === holder);
    assert.ok(worker, `map-00000 ran on an unknown worker ${holder}`);
    // The output disappears from a live worker (a disk replaced, a careless cleanup).
    fs.rmSync(path.join(worker.dataDir, 'jobs', id, 'map-00000-a0'), { recursive: true });
    assert.ok(
      (await cl.status(id)).mapsDone < (await cl.status(id)).mapsTotal,
      'the map phase ended before the output was removed',
    );
    const status = await cl.wait(id);
    const log = await collectEvents(cl, id);
    assert.ok(
      log.some((l) => /^fetch-failed reduce-\d+ .*could not fetch map-00000/.test(l)),
      log.join('\n'),
    );
    assert.ok(
      log.some((l) => l.startsWith('task-started map-00000 attempt 1')),
      log.join('\n'),
    );
    assert.equal(status.failedAttempts, 0, "a fetch failure is not the reducer's failure");
    assert.deepEqual(await collectResults(cl, id), new Map<string, unknown>(referenceWordCount(files)));
  });

  it('a worker stopped with SIGTERM drains: it finishes its running task, takes no more, then exits', async () => {
    const { c, cl, files } = await setUp(2);
    const id = await cl.submit('test/fixtures/slow-wordcount.ts', {
      inputs: files,
      partitions: 2,
      chunkSize: 16 * 1024,
      params: { mapSleepMs: '300' },
      speculation: false,
    });
    const victim = c.workers[0];
    assert.ok(victim);
    await waitUntil(
      'the worker runs a task',
      async () => (await cl.workers()).some((w) => w.workerId === victim.id && w.running > 0),
      10_000,
    );
    const signalledAt = Date.now();
    victim.daemon.process.kill('SIGTERM');
    assert.equal(await exited(victim.daemon), 0);
    await cl.wait(id);
    const log = await collectEvents(cl, id);
    // Its running attempt finished there rather than being abandoned.
    assert.ok(!log.some((l) => l.startsWith('attempt-lost') && l.includes(victim.id)), log.join('\n'));
    const startedThere = log.filter((l) => l.startsWith('task-started') && l.endsWith(`on ${victim.id}`)).length;
    const succeededThere = log.filter((l) => l.startsWith('task-succeeded') && l.includes(`on ${victim.id} `)).length;
    assert.equal(succeededThere, startedThere, log.join('\n'));
    assert.match(victim.daemon.log(), /draining/);
    assert.ok(Date.now() - signalledAt < 20_000);
    assert.deepEqual(await collectResults(cl, id), new Map<string, unknown>(referenceWordCount(files)));
  });
});

describe('a worker whose master goes away', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-rejoin-'));
  const daemons: Daemon[] = [];
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps retrying with backoff and rejoins when the master is back', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const master = `127.0.0.1:${port}`;
    const masterArgs = ['master', '--host', '127.0.0.1', '--port', String(port), '--data-dir', path.join(dir, 'm')];
    const first = await startDaemon(masterArgs, /listening on/);
    daemons.push(first.daemon);
    const worker = await startDaemon(
      ['worker', '--master', master, '--port', '0', '--slots', '1', '--data-dir', path.join(dir, 'w')],
      /serving data on/,
    );
    daemons.push(worker.daemon);
    const client = new GrooveClient({ master });
    try {
      await waitUntil('the worker registered', async () => (await client.workers()).some((w) => w.state === 'alive'));
      first.daemon.process.kill('SIGKILL');
      await exited(first.daemon);
      await waitUntil('the worker noticed', () => /lost the master; reconnecting/.test(worker.daemon.log()), 15_000);
      const second = await startDaemon(masterArgs, /listening on/);
      daemons.push(second.daemon);
      await waitUntil(
        'the worker rejoined',
        async () => {
          try {
            return (await client.workers()).some((w) => w.state === 'alive');
          } catch {
            return false;
          }
        },
        20_000,
      );
      const input = path.join(dir, 'in.txt');
      fs.writeFileSync(input, 'a b a\n');
      const id = await client.submit('jobs/wordcount.ts', { inputs: [input] });
      await client.wait(id);
      assert.deepEqual(
        await collectResults(client, id),
        new Map<string, unknown>([
          ['a', 2],
          ['b', 1],
        ]),
      );
    } finally {
      client.close();
    }
  });
});
