import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ephemeralToken } from '../common/index.js';
import { Master } from '../master/index.js';
import type { Security } from '../proto/index.js';
import { WorkerDaemon } from '../worker/index.js';

/** Options of an {@link EmbeddedCluster}. */
export interface EmbeddedClusterOptions {
  /** Pool processes of the one worker. Default: the number of cores. */
  readonly slots?: number;
  /** Data dir; default a fresh temporary directory, removed on stop. */
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
  ) {}

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
    const security: Security = { token: ephemeralToken() };
    const master = await Master.start({ host: '127.0.0.1', port: 0, dataDir: path.join(dataDir, 'master'), security });
    try {
      const worker = await WorkerDaemon.start({ master: master.address, host: '127.0.0.1', port: 0, slots: options.slots, dataDir: path.join(dataDir, 'worker'), security });
      return new EmbeddedCluster(security, master, worker, dataDir, ownsDataDir);
    } catch (err) {
      await master.stop();
      throw err;
    }
  }

  /** Stops the worker and the master and removes the temporary data. */
  async stop(): Promise<void> {
    await this.worker.stop();
    await this.master.stop();
    if (this.ownsDataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
