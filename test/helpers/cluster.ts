import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { startDaemon } from './cli.js';
import type { Daemon } from './cli.js';

/** A master and workers started through the CLI, each its own process, on loopback. */
export interface TestCluster {
  readonly master: string;
  readonly dir: string;
  readonly masterDaemon: Daemon;
  readonly workers: Daemon[];
  stop(): Promise<void>;
}

/** Polls `check` until it returns true (or throws after timeoutMs). */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `mr master` and `workers` × `mr worker`, and waits until every worker registered. */
export async function startCluster(workers: number, slots = 1): Promise<TestCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-cluster-'));
  const { daemon: masterDaemon, match } = await startDaemon(
    ['master', '--host', '127.0.0.1', '--port', '0', '--http-port', '0', '--data-dir', path.join(dir, 'master')],
    /listening on (127\.0\.0\.1:\d+)/,
  );
  const master = match[1] as string;
  const started = await Promise.all(
    Array.from({ length: workers }, (_, i) =>
      startDaemon(['worker', '--master', master, '--host', '127.0.0.1', '--port', '0', '--slots', String(slots), '--data-dir', path.join(dir, `w${i}`)], /serving data on/),
    ),
  );
  const cluster: TestCluster = {
    master,
    dir,
    masterDaemon,
    workers: started.map((s) => s.daemon),
    async stop() {
      await Promise.all(cluster.workers.map((w) => w.stop()));
      await masterDaemon.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  const client = new GrooveClient({ master });
  try {
    await waitUntil(`${workers} workers registered`, async () => (await client.workers()).filter((w) => w.state === 'alive').length === workers);
  } finally {
    client.close();
  }
  return cluster;
}
