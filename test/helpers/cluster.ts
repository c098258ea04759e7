import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient, writeTokenFile } from '../../sdk/index.js';
import type { Security } from '../../sdk/index.js';
import { startDaemon } from './cli.js';
import type { Daemon } from './cli.js';

/** A worker daemon started by a test, with what tests need to break it. */
export interface TestWorker {
  readonly daemon: Daemon;
  readonly id: string;
  readonly dataDir: string;
  /** host:port of its shuffle service. */
  readonly dataAddress: string;
}

/** A master and workers started through the CLI, each its own process, on loopback. */
export interface TestCluster {
  readonly master: string;
  readonly dir: string;
  /** The master's process (a new one after {@link restartMaster}). */
  masterDaemon: Daemon;
  readonly workers: TestWorker[];
  /** The cluster token file, when started with `token: true`. */
  readonly tokenFile?: string;
  /** What clients of this cluster need (the token, when there is one). */
  readonly security: Security;
  /** Starts one more worker (e.g. to replace a killed one). */
  addWorker(env?: NodeJS.ProcessEnv): Promise<TestWorker>;
  /** Kills the master with SIGKILL and starts it again on the same port and data dir (its journal). */
  restartMaster(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  readonly workers: number;
  readonly slots?: number;
  /** Extra `mr master` arguments. */
  readonly masterArgs?: readonly string[];
  /** Extra `mr worker` arguments. */
  readonly workerArgs?: readonly string[];
  /** Extra environment for worker i. */
  readonly workerEnv?: (i: number) => NodeJS.ProcessEnv | undefined;
  /** Give the cluster a token (written to a file in its dir, passed to every process). */
  readonly token?: boolean;
  /** Extra arguments for master and workers both (e.g. TLS files). */
  readonly commonArgs?: readonly string[];
  /** What the test's own clients use besides the token (TLS material). */
  readonly clientSecurity?: Security;
  /** Extra environment for the master and every worker (a preloaded storage backend, its root). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Polls `check` until it returns true (or throws after timeoutMs). */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The pids of a process's children (Linux /proc). */
export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Starts `mr master` and worker daemons, and waits until every worker registered. */
export async function startCluster(options: ClusterOptions): Promise<TestCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-cluster-'));
  const tokenFile = options.token ? path.join(dir, 'token') : undefined;
  const token = tokenFile ? writeTokenFile(tokenFile) : undefined;
  const common = [...(tokenFile ? ['--token-file', tokenFile] : []), ...(options.commonArgs ?? [])];
  const security: Security = { ...(token ? { token } : {}), ...options.clientSecurity };
  const startMaster = (port: string): ReturnType<typeof startDaemon> => startClusterMaster(dir, common, options, port);
  const { daemon: masterDaemon, match } = await startMaster('0');
  const master = match[1] as string;
  let n = 0;
  let stopping = false;
  const addWorker = async (env?: NodeJS.ProcessEnv): Promise<TestWorker> => {
    if (stopping) throw new Error('the cluster is stopping');
    const dataDir = path.join(dir, `w${n++}`);
    const { daemon, match: m } = await startDaemon(
      [
        'worker',
        '--master',
        master,
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--slots',
        String(options.slots ?? 1),
        '--data-dir',
        dataDir,
        ...common,
        ...(options.workerArgs ?? []),
      ],
      /groove worker (\S+) serving data on (\S+),/,
      30_000,
      { ...options.env, ...env },
    );
    const worker = { daemon, id: m[1] as string, dataDir, dataAddress: m[2] as string };
    cluster.workers.push(worker);
    // Started while the cluster was being stopped: stop it too.
    if (stopping) await daemon.stop();
    return worker;
  };
  const cluster: TestCluster = {
    master,
    dir,
    masterDaemon,
    workers: [],
    tokenFile,
    security,
    addWorker,
    async restartMaster() {
      const old = cluster.masterDaemon.process;
      if (old.exitCode === null && old.signalCode === null) {
        const exited = new Promise((resolve) => old.once('exit', resolve));
        old.kill('SIGKILL');
        await exited;
      }
      cluster.masterDaemon = (await startMaster(master.split(':')[1] as string)).daemon;
    },
    async stop() {
      stopping = true;
      await Promise.all(cluster.workers.map((w) => w.daemon.stop()));
      await cluster.masterDaemon.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await addWorkers(cluster, options);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** Starts a cluster's master on `port` ('0': any free one) and its data dir under `dir`. */
function startClusterMaster(
  dir: string,
  common: readonly string[],
  options: ClusterOptions,
  port: string,
): ReturnType<typeof startDaemon> {
  const args = [
    'master',
    '--host',
    '127.0.0.1',
    '--port',
    port,
    '--http-port',
    '0',
    '--data-dir',
    path.join(dir, 'master'),
  ];
  return startDaemon(
    [...args, ...common, ...(options.masterArgs ?? [])],
    /listening on (127\.0\.0\.1:\d+)/,
    30_000,
    options.env,
  );
}

/** Starts the cluster's first workers one by one, and waits until the master sees them all alive. */
async function addWorkers(cluster: TestCluster, options: ClusterOptions): Promise<void> {
  for (let i = 0; i < options.workers; i++) await cluster.addWorker(options.workerEnv?.(i));
  const client = new GrooveClient({ master: cluster.master, security: cluster.security });
  try {
    await waitUntil(
      `${options.workers} workers registered`,
      async () => (await client.workers()).filter((w) => w.state === 'alive').length === options.workers,
    );
  } finally {
    client.close();
  }
}
