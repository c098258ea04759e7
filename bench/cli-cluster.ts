import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../sdk/index.js';
import { startDaemon } from './daemon.js';
import type { Daemon } from './daemon.js';

/** A worker daemon of a {@link CliCluster}. */
export interface CliWorker {
  readonly daemon: Daemon;
  readonly id: string;
  readonly dataDir: string;
}

/** One `mr master` and worker daemons, each its own process, on loopback. */
export interface CliCluster {
  readonly master: string;
  readonly masterDaemon: Daemon;
  readonly workers: readonly CliWorker[];
  stop(): Promise<void>;
}

/** Options of {@link startCliCluster}. */
export interface CliClusterOptions {
  readonly dir: string;
  readonly workers: number;
  readonly slotsPerWorker: number;
  readonly masterArgs?: readonly string[];
  /** Extra environment of every daemon (and so of its pool processes), e.g. NODE_OPTIONS=--cpu-prof. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts the daemons through the CLI as a user would, and waits until every worker registered. */
export async function startCliCluster(options: CliClusterOptions): Promise<CliCluster> {
  fs.mkdirSync(options.dir, { recursive: true });
  const masterDaemon = await startDaemon(
    ['master', '--port', '0', '--data-dir', path.join(options.dir, 'master'), ...(options.masterArgs ?? [])],
    /listening on (\S+?:\d+)/,
    options.env,
  );
  const master = masterDaemon.match[1] as string;
  const workers: CliWorker[] = [];
  const cluster: CliCluster = {
    master,
    masterDaemon,
    workers,
    async stop() {
      await Promise.all(workers.map((w) => w.daemon.stop()));
      await masterDaemon.stop();
    },
  };
  try {
    for (let i = 0; i < options.workers; i++) {
      const dataDir = path.join(options.dir, `w${i}`);
      const daemon = await startDaemon(
        ['worker', '--master', master, '--port', '0', '--slots', String(options.slotsPerWorker), '--data-dir', dataDir],
        /groove worker (\S+) serving data on/,
        options.env,
      );
      workers.push({ daemon, id: daemon.match[1] as string, dataDir });
    }
    const client = new GrooveClient({ master });
    try {
      const deadline = Date.now() + 30_000;
      while ((await client.workers()).filter((w) => w.state === 'alive').length < options.workers) {
        if (Date.now() > deadline) throw new Error('workers did not register within 30 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      client.close();
    }
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
