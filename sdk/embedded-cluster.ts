import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ephemeralToken } from '../common/index.js';
import { Master } from '../master/index.js';
import type { Security } from '../proto/wire/index.js';
import { WorkerDaemon } from '../worker/index.js';

/** Options of an {@link EmbeddedCluster}. */
export interface EmbeddedClusterOptions {
  /** Pool processes of the one worker. Default: the number of cores. */
  readonly slots?: number;
  /**
   * Data dir; default a fresh temporary directory, removed on stop. The master keeps its
   * journal only in a data dir given here: a temporary one goes before anything could read it.
   */
  readonly dataDir?: string;
}

/**
 * A master and one worker on loopback with ephemeral ports and a random cluster token,
 * in this process (their pool processes are children as usual). `mr run` uses it: the same engine and code path as
 * a real cluster, with nothing to set up.
 */
export class EmbeddedCluster {
  private constructor(
    /** The cluster's own random token: other local users cannot submit code to it. */
    readonly security: Security,
    private readonly master: Master,
    private readonly worker: WorkerDaemon,
    private readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    private readonly removeOnExit: (() => void) | undefined,
  ) {}

  private stopping: Promise<void> | undefined;

  /** The master's host:port, for a {@link GrooveClient}. */
  get masterAddress(): string {
    return this.master.address;
  }

  /** The worker's data dir by worker id, for a {@link GrooveClient} in this process to read part files from disk. */
  get localDataDirs(): ReadonlyMap<string, string> {
    return new Map([[this.worker.workerId, this.worker.options.dataDir]]);
  }

  static async start(options: EmbeddedClusterOptions = {}): Promise<EmbeddedCluster> {
    const ownsDataDir = !options.dataDir;
    const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'groove-run-'));
    // The last resort for a process that exits without stop() (process.exit, an uncaught
    // exception): a temporary data dir can hold gigabytes of map output.
    const removeOnExit = ownsDataDir ? (): void => fs.rmSync(dataDir, { recursive: true, force: true }) : undefined;
    if (removeOnExit) process.on('exit', removeOnExit);
    const forget = (): void => {
      if (!removeOnExit) return;
      process.off('exit', removeOnExit);
      removeOnExit();
    };
    const security: Security = { token: ephemeralToken() };
    let master: Master;
    try {
      // No health service: nothing probes a cluster that lives and dies with one process.
      // No journal: a restart could never read it, since the data dir goes with the process.
      const masterDir = path.join(dataDir, 'master');
      master = await Master.start({
        host: '127.0.0.1',
        port: 0,
        dataDir: masterDir,
        security,
        healthService: false,
        journal: !ownsDataDir,
      });
    } catch (err) {
      forget();
      throw err;
    }
    try {
      const worker = await WorkerDaemon.start({
        master: master.address,
        host: '127.0.0.1',
        port: 0,
        slots: options.slots,
        dataDir: path.join(dataDir, 'worker'),
        security,
        healthService: false,
      });
      await registered(worker).catch(async (err: unknown) => {
        await worker.stop();
        throw err;
      });
      return new EmbeddedCluster(security, master, worker, dataDir, ownsDataDir, removeOnExit);
    } catch (err) {
      await master.stop();
      forget();
      throw err;
    }
  }

  /** Stops the worker and the master and removes the temporary data; calling it again waits for the first call. */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    try {
      await this.worker.stop();
      await this.master.stop();
    } finally {
      // Asynchronous: fs.promises.rm removes entries on the thread pool, several at once, where
      // fs.rmSync's one-by-one rmdir/unlink took seconds for the thousands of attempt
      // directories of a job of tiny tasks on a busy disk (docs/performance.md).
      // The exit handler stays until it is done: a process that exits meanwhile removes the rest.
      if (this.ownsDataDir) await fs.promises.rm(this.dataDir, { recursive: true, force: true });
      if (this.removeOnExit) process.off('exit', this.removeOnExit);
    }
  }
}

/**
 * How long an embedded worker may take to register with its master, in the same process:
 * milliseconds normally, seconds on a loaded machine; past this something is broken.
 */
const REGISTRATION_TIMEOUT_MS = 60_000;

/**
 * Waits until the master accepted the worker, so the first job planned sees its slots
 * (the master sizes splits for the slots it knows at submit).
 */
async function registered(worker: WorkerDaemon): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the embedded worker did not register within ${REGISTRATION_TIMEOUT_MS / 1000} s`)),
      REGISTRATION_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    // `refused` resolves (never rejects) with the reason: nothing is left to reject unheard later.
    const refusal = await Promise.race([worker.registration, worker.refused, timeout]);
    if (refusal instanceof Error) throw refusal;
  } finally {
    clearTimeout(timer);
  }
}
