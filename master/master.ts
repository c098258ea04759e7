import * as fs from 'node:fs';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { checkBind, createLogger } from '../common/index.js';
import { CHANNEL_OPTIONS } from '../proto/wire/index.js';
import { grooveProto } from '../proto/wire/index.js';
import { serverCredentials, serverOptions } from '../proto/wire/index.js';
import { JobManager } from './job-manager.js';
import { compileMasterOptions } from './master-options.js';
import type { CompiledMasterOptions, MasterOptions } from './master-options.js';
import { acceptingEncodedMessages } from '../proto/wire/index.js';
import { createMasterService } from './master-service.js';
import { PackStore } from './pack-store.js';
import { createStatusServer } from './status-page.js';
import { WorkerRegistry } from './worker-registry.js';

/**
 * The master process: the gRPC service for workers and clients, the job manager behind
 * it, and an optional HTTP status page. It holds cluster and job state and never runs
 * job code.
 */
export class Master {
  private constructor(
    readonly options: CompiledMasterOptions,
    /** host:port the gRPC service listens on (the real port when 0 was asked). */
    readonly address: string,
    /** Port of the status page, if any. */
    readonly httpPort: number | undefined,
    private readonly server: grpc.Server,
    private readonly http: http.Server | undefined,
    private readonly closeTimers: () => void,
  ) {}

  /** Starts listening; resolves once both servers are bound. */
  static async start(options: MasterOptions): Promise<Master> {
    const opts = compileMasterOptions(options);
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const log = createLogger('master');
    checkBind('master', opts.host, opts.security, opts.insecure, log);
    const workers = new WorkerRegistry();
    const packs = new PackStore(opts.dataDir);
    const jobs = new JobManager(workers, opts, log, packs);
    // Heartbeats that stop mean a worker is gone even when its TCP connection looks open
    // (a cut link, a frozen host): declare it lost so its work is done elsewhere.
    const monitor = setInterval(
      () => {
        const now = Date.now();
        for (const w of workers.connected())
          if (now - w.lastSeen > opts.workerTimeoutMs) w.disconnect(`no heartbeat for ${now - w.lastSeen} ms`);
      },
      Math.max(50, Math.floor(opts.workerTimeoutMs / 5)),
    );
    monitor.unref();
    const server = new grpc.Server(serverOptions(opts.security, CHANNEL_OPTIONS));
    server.addService(
      acceptingEncodedMessages(grooveProto().groove.Master.service),
      createMasterService({ jobs, workers, packs, log, heartbeatMs: opts.heartbeatMs }),
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${opts.host}:${opts.port}`, serverCredentials(opts.security), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    let httpServer: http.Server | undefined;
    let httpPort: number | undefined;
    if (opts.httpPort !== undefined) {
      const s = createStatusServer({
        jobs,
        workers,
        token: opts.security.token,
        blacklistAfter: opts.blacklistAfter,
        log: createLogger('web'),
      });
      httpServer = s;
      httpPort = await new Promise<number>((resolve, reject) => {
        s.once('error', reject);
        s.listen(opts.httpPort, opts.host, () => resolve((s.address() as AddressInfo).port));
      });
    }
    const hostForClients = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
    log.info('master started', { address: `${opts.host}:${port}`, httpPort, dataDir: opts.dataDir });
    return new Master(opts, `${hostForClients}:${port}`, httpPort, server, httpServer, () => {
      clearInterval(monitor);
      jobs.close();
    });
  }

  /** Stops both servers, cutting open sessions. */
  async stop(): Promise<void> {
    this.closeTimers();
    this.server.forceShutdown();
    if (this.http) {
      this.http.closeAllConnections();
      await new Promise<void>((resolve) => this.http?.close(() => resolve()));
    }
  }
}
