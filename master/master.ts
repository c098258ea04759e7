import * as fs from 'node:fs';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { checkBind, createLogger } from '../common/index.js';
import { CHANNEL_OPTIONS } from '../proto/wire/index.js';
import { grooveProto } from '../proto/wire/index.js';
import { HealthService, rpcErrorInterceptor } from '../proto/wire/index.js';
import { serverCredentials, serverOptions } from '../proto/wire/index.js';
import { JobManager } from './job-manager.js';
import { compileMasterOptions } from './master-options.js';
import type { CompiledMasterOptions, MasterOptions } from './master-options.js';
import { acceptingEncodedMessages } from '../proto/wire/index.js';
import { createMasterService } from './master-service.js';
import { PackStore } from './pack-store.js';
import { startRetentionSweep } from './retention-sweep.js';
import { createStatusServer } from './status-page.js';
import { MasterMetrics } from './master-metrics.js';
import { metricsRoute } from './metrics-route.js';
import { WorkerRegistry } from './worker-registry.js';
import { collectTaskLogs } from './task-log-relay.js';

/** The most log lines one `/api/jobs/ID/logs` answer holds (the last ones): a page, not an archive. */
const WEB_TASK_LOG_LINES = 5000;
import { JobJournal, Journal, lockDataDir, recoverJobs } from './journal/index.js';
import type { DataDirLock, RecoveredJobs } from './journal/index.js';

/**
 * How long a restarted master waits for a worker its journal says holds outputs: the
 * worker reconnects with a backoff of up to 5 s, so a master down a while may see it
 * that much later than it starts.
 */
const RECONNECT_GRACE_MS = 10_000;

/**
 * Takes the data dir (its lock), opens its journal and rebuilds the jobs it holds; on a
 * failure, the lock is given back and the one-line error thrown.
 */
function openJournal(
  dataDir: string,
  useJournal: boolean,
  log: ReturnType<typeof createLogger>,
): { journal: Journal | undefined; lock: DataDirLock; recovered: RecoveredJobs } {
  const lock = lockDataDir(dataDir);
  // Without a journal there is nothing to recover: the master starts with no jobs, as a new one does.
  if (!useJournal) return { journal: undefined, lock, recovered: { jobs: [], hosts: new Map(), seq: 0 } };
  let journal: Journal | undefined;
  try {
    journal = Journal.open(dataDir, (err) => log.error('the journal cannot be written', { error: err.message }));
    return { journal, lock, recovered: recoverJobs(journal) };
  } catch (err) {
    // Recovery only read: nothing is queued that matters, and the reading connection closes at once.
    void journal?.close();
    lock.release();
    throw err;
  }
}

/**
 * Puts the jobs the journal held back in the manager. Workers holding journaled outputs
 * are expected back (their sessions ended with the old master); one not back in time is
 * lost, and its outputs are made again.
 */
function resumeJobs(
  recovered: RecoveredJobs,
  jobs: JobManager,
  workers: WorkerRegistry,
  workerTimeoutMs: number,
  log: ReturnType<typeof createLogger>,
): void {
  // The heartbeat monitor loses a worker workerTimeoutMs after it was last seen: "seen" that much before the end.
  const grace = Math.max(workerTimeoutMs, RECONNECT_GRACE_MS) - workerTimeoutMs;
  for (const [id, address] of recovered.hosts) workers.expect(id, address, grace, (w) => jobs.workerLost(w));
  jobs.recover(recovered.jobs, recovered.seq);
  if (recovered.jobs.length) {
    const running = recovered.jobs.filter((j) => !j.finished).length;
    log.info('jobs recovered from the journal', {
      jobs: recovered.jobs.length,
      running,
      workers: recovered.hosts.size,
    });
  }
}

/** Starts the HTTP server of the web UI, its API and /metrics on --http-port. */
async function startHttp(
  opts: CompiledMasterOptions,
  jobs: JobManager,
  workers: WorkerRegistry,
  metrics: MasterMetrics | undefined,
  log: ReturnType<typeof createLogger>,
): Promise<{ server: http.Server; port: number }> {
  const route = metrics && metricsRoute(metrics, opts.security.token, log);
  const server = createStatusServer(
    {
      jobs,
      workers,
      token: opts.security.token,
      blacklistAfter: opts.blacklistAfter,
      log: createLogger('web'),
      taskLogs: (jobId, taskId) =>
        collectTaskLogs({ jobs, workers, security: opts.security, log }, jobId, taskId, WEB_TASK_LOG_LINES),
    },
    route,
  );
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.httpPort, opts.host, () => resolve((server.address() as AddressInfo).port));
  });
  return { server, port };
}

/** The master's service, by its full name, as the health service names it. */
const MASTER_SERVICE = 'groove.Master';

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
    /** Its Prometheus metrics (served at /metrics on the HTTP port); none without an HTTP port. */
    readonly metrics: MasterMetrics | undefined,
    /** Stops the timers and closes the journal (what is queued is written first) and the lock. */
    private readonly closeState: () => Promise<void>,
  ) {}

  /** Starts listening; resolves once both servers are bound. */
  static async start(options: MasterOptions): Promise<Master> {
    const opts = compileMasterOptions(options);
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const log = createLogger('master');
    checkBind('master', opts.host, opts.security, opts.insecure, log);
    const workers = new WorkerRegistry();
    const { journal, lock, recovered } = openJournal(opts.dataDir, opts.journal, log);
    const held = new Set(recovered.jobs.map((j) => j.spec.packHash));
    const packs = new PackStore(opts.dataDir, held);
    const missing = packs.missing(held);
    if (missing.length) log.warn('job packs named by the journal are missing; their tasks will fail', { missing });
    // Metrics are kept only where they are served: without an HTTP port nothing reads them.
    const metrics: MasterMetrics | undefined =
      opts.httpPort === undefined
        ? undefined
        : new MasterMetrics({ jobs: () => jobs.list(), workers: () => workers.all() }, { processMetrics: true });
    const jobs = new JobManager(workers, opts, log, packs, journal && new JobJournal(journal), metrics);
    resumeJobs(recovered, jobs, workers, opts.workerTimeoutMs, log);
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
    const stopSweep = startRetentionSweep({ jobs, retentionMs: opts.retentionMs, clock: opts.clock, log });
    const interceptors = metrics ? [rpcErrorInterceptor(metrics.rpcError)] : [];
    const server = new grpc.Server(serverOptions(opts.security, CHANNEL_OPTIONS, interceptors));
    server.addService(
      acceptingEncodedMessages(grooveProto().groove.Master.service),
      createMasterService({
        jobs,
        workers,
        packs,
        log,
        heartbeatMs: opts.heartbeatMs,
        retentionMs: opts.retentionMs,
        metrics,
        security: opts.security,
      }),
    );
    const health = opts.healthService ? new HealthService(server, [MASTER_SERVICE]) : undefined;
    const closeAll = async (): Promise<void> => {
      clearInterval(monitor);
      health?.setServing(false);
      stopSweep();
      jobs.close();
      await journal?.close();
      lock.release();
    };
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${opts.host}:${opts.port}`, serverCredentials(opts.security), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    ).catch(async (err: unknown) => {
      await closeAll();
      throw err;
    });
    const web = opts.httpPort === undefined ? undefined : await startHttp(opts, jobs, workers, metrics, log);
    const hostForClients = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
    log.info('master started', { address: `${opts.host}:${port}`, httpPort: web?.port, dataDir: opts.dataDir });
    return new Master(opts, `${hostForClients}:${port}`, web?.port, server, web?.server, metrics, closeAll);
  }

  /** Stops both servers, cutting open sessions. */
  async stop(): Promise<void> {
    const closing = this.closeState();
    this.server.forceShutdown();
    if (this.http) {
      this.http.closeAllConnections();
      await new Promise<void>((resolve) => this.http?.close(() => resolve()));
    }
    await closing;
  }
}
