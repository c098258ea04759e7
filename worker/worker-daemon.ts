import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { backoffDelay, checkBind, createLogger, UserError } from '../common/index.js';
import type { Logger } from '../common/index.js';
import { CHANNEL_OPTIONS } from '../proto/wire/index.js';
import { createMasterClient } from '../proto/wire/index.js';
import { isResultFormat } from '../proto/formats/index.js';
import { isValidId, mapTaskId } from '../proto/formats/index.js';
import { serverCredentials, serverOptions } from '../proto/wire/index.js';
import { HealthService, rpcErrorInterceptor } from '../proto/wire/index.js';
import type { MasterClient } from '../proto/wire/generated/groove/Master';
import type { MasterMessage__Output } from '../proto/wire/generated/groove/MasterMessage';
import type { Registered__Output } from '../proto/wire/generated/groove/Registered';
import type { ResultSplit__Output } from '../proto/wire/generated/groove/ResultSplit';
import type { TaskAssignment__Output } from '../proto/wire/generated/groove/TaskAssignment';
import type { TaskUpdate } from '../proto/wire/generated/groove/TaskUpdate';
import type { WorkerMessage } from '../proto/wire/generated/groove/WorkerMessage';
import { chooseAdvertise } from './advertise-address.js';
import { BulkServer, PeerFetches } from './shuffle/index.js';
import { attemptDir, isAttemptFileOf, jobDir, JOBS_DIR } from './data-layout.js';
import { createShuffleService } from './shuffle/index.js';
import { workerServiceDefinition } from '../proto/wire/index.js';
import { PackCache } from './pack-cache.js';
import { JOB_OUTPUT, ProcessPool, TaskAttemptError } from './process-pool.js';
import { TaskLogStore } from './task-log-store.js';
import { readTaskLogsHandler } from './task-log-service.js';
import { OrphanSweep } from './orphan-sweep.js';
import { orphanRetentionMs, removeStaleFiles } from './stale-files.js';
import { httpTrustedCa } from '../storage/index.js';
import type { MapOutputSource, ResultInput, TaskResult, TaskSpec } from './task-spec.js';
import { compileWorkerOptions } from './worker-options.js';
import { failureReasonOf } from './failure-reason.js';
import { WorkerMetrics } from './worker-metrics.js';
import { startWorkerHttp, stopWorkerHttp } from './worker-http.js';
import type * as http from 'node:http';
import type { CompiledWorkerDaemonOptions, WorkerDaemonOptions } from './worker-options.js';

/** The package version a worker reports when it registers. */
const VERSION = '0.1.0';

/** The shuffle service's full name, as the health service names it. */
const WORKER_SERVICE = 'groove.Worker';

/** What a daemon serves besides the shuffle: health, and metrics over HTTP when asked for. */
interface Observers {
  readonly health?: HealthService;
  readonly metrics?: WorkerMetrics;
  readonly http?: { readonly server: http.Server; readonly port: number };
  /** What job code logged, per attempt (docs/logs.md). */
  readonly taskLogs: TaskLogStore;
}

/**
 * A worker daemon: serves its task outputs over the shuffle service, keeps one session with
 * the master (register, heartbeats and task updates up; assignments, cancels and purges
 * down), and runs assigned tasks on its pool of processes. It never runs job code itself.
 */
export class WorkerDaemon {
  private session?: grpc.ClientDuplexStream<WorkerMessage, MasterMessage__Output>;
  private masterClient?: MasterClient;
  private heartbeat?: NodeJS.Timeout;
  private reconnects = 0;
  private stopped = false;
  private draining = false;
  /** Sessions opened so far: an attempt started in an earlier one was written off by the master. */
  private sessions = 0;
  /** Attempts here, by `job/task/attempt`, with the session they came in. */
  private readonly running = new Map<
    string,
    { readonly session: number; readonly dir: string; readonly packHash: string }
  >();
  private refuse!: (reason: Error) => void;
  /**
   * Settles when the master refused this worker for good (a configuration error, such as a
   * data address the master cannot reach): the daemon has stopped by then, and the reason
   * is a one-line UserError to show.
   */
  readonly refused: Promise<Error> = new Promise((resolve) => (this.refuse = resolve));
  private firstRegistered!: () => void;
  /**
   * Settles when the master first accepted this worker: from then on it counts the worker's
   * slots (an embedded cluster waits for it, so a job it plans sees every slot).
   */
  readonly registration: Promise<void> = new Promise((resolve) => (this.firstRegistered = resolve));
  /** Deletes job directories no master knows once they are the retention old. */
  private readonly orphans: OrphanSweep;

  private constructor(
    readonly options: CompiledWorkerDaemonOptions,
    readonly workerId: string,
    readonly dataAddress: string,
    private readonly server: grpc.Server,
    private readonly bulk: BulkServer,
    private readonly peers: PeerFetches,
    private readonly pool: ProcessPool,
    private readonly packs: PackCache,
    private readonly log: Logger,
    private readonly observers: Observers,
  ) {
    this.orphans = new OrphanSweep(options.dataDir, log);
  }

  /** The port of this worker's HTTP server (/metrics), when it has one. */
  get httpPort(): number | undefined {
    return this.observers.http?.port;
  }

  /** Starts the shuffle service and the pool, then connects to the master (and keeps reconnecting). */
  static async start(options: WorkerDaemonOptions): Promise<WorkerDaemon> {
    const opts = compileWorkerOptions(options);
    fs.mkdirSync(opts.dataDir, { recursive: true });
    const workerId = loadWorkerId(opts.dataDir);
    const log = createLogger('worker').child({ worker: workerId });
    checkBind('worker', opts.host, opts.security, opts.insecure, log);
    const shuffleLog = log.child({ component: 'shuffle' });
    // The gRPC calls of this worker's reducers' fetches, made here so pool processes never load grpc-js.
    const peers = new PeerFetches(opts.security);
    const taskLogs = new TaskLogStore(opts.dataDir, log.child({ component: 'task-logs' }));
    const pool = WorkerDaemon.createPool(opts, log, peers.open.bind(peers), taskLogs, workerId);
    // Forked first: booting a pool process (exec, Node, its modules) is the longest step of a
    // worker's start (0.3-1 s on a busy host), so it runs while the servers bind and the daemon
    // registers; assignments that come before a process is ready wait in the pool's queue.
    const poolReady = pool.start();
    // Shuffle bytes go over their own port, beside the shuffle service and bound like it (see shuffle/serve/bulk-server.ts).
    const bulk = await BulkServer.start({
      host: opts.host,
      port: opts.bulkPort,
      security: opts.security,
      logger: shuffleLog,
    }).catch(async (err: unknown) => {
      await pool.stop();
      throw err;
    });
    let daemon: WorkerDaemon | undefined;
    const metrics = WorkerDaemon.metricsFor(opts, () => daemon);
    const interceptors = metrics ? [rpcErrorInterceptor(metrics.rpcError)] : [];
    const server = new grpc.Server(serverOptions(opts.security, CHANNEL_OPTIONS, interceptors));
    server.addService(workerServiceDefinition(), {
      ...createShuffleService(opts.dataDir, shuffleLog, bulk),
      ReadTaskLogs: readTaskLogsHandler(taskLogs, workerId),
    });
    const health = opts.healthService ? new HealthService(server, [WORKER_SERVICE]) : undefined;
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${opts.host}:${opts.port}`, serverCredentials(opts.security), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    ).catch(async (err: unknown) => {
      await Promise.all([bulk.close(), pool.stop()]);
      throw err;
    });
    const started = chooseAdvertise(opts, log).then(async (advertise) => ({
      advertise,
      http: metrics && (await startWorkerHttp(opts.host, opts.httpPort ?? 0, metrics, opts.security.token, log)),
    }));
    const { advertise, http: httpServer } = await started.catch(async (err: unknown) => {
      server.forceShutdown();
      await Promise.all([bulk.close(), pool.stop()]);
      throw err;
    });
    const dataAddress = `${advertise}:${port}`;
    if (opts.runAs) {
      // Pool processes write their outputs under jobs/ as that user; the daemon (root) still reads and deletes them.
      const jobs = path.join(opts.dataDir, JOBS_DIR);
      fs.mkdirSync(jobs, { recursive: true });
      fs.chownSync(jobs, opts.runAs.uid, opts.runAs.gid);
      log.info('pool processes run as another user', { user: opts.runAs.user, uid: opts.runAs.uid });
    }
    const packs = new PackCache(opts.dataDir, () => {
      if (!daemon?.masterClient) throw new Error('not connected to the master');
      return daemon.masterClient;
    });
    daemon = new WorkerDaemon(opts, workerId, dataAddress, server, bulk, peers, pool, packs, log, {
      health,
      metrics,
      http: httpServer,
      taskLogs,
    });
    daemon.connect();
    await poolReady;
    log.info('worker started', {
      dataAddress,
      bulkPort: bulk.port,
      httpPort: httpServer?.port,
      slots: opts.slots,
      master: opts.master,
      dataDir: opts.dataDir,
    });
    return daemon;
  }

  /** The pool of processes that run tasks (not started); what job code logs goes to the attempts' logs. */
  private static createPool(
    opts: CompiledWorkerDaemonOptions,
    log: Logger,
    openFetch: PeerFetches['open'],
    taskLogs: TaskLogStore,
    workerId: string,
  ): ProcessPool {
    return new ProcessPool({
      size: opts.slots,
      logger: log.child({ component: 'pool' }),
      taskTimeoutMs: opts.taskTimeoutMs,
      memoryLimitMb: opts.taskMemoryMb,
      runAs: opts.runAs,
      openFetch,
      onJobLine: (a, level, message) => taskLogs.append(a.jobId, a.taskId, a.attempt, level, message),
      jobLogger: JOB_OUTPUT.child({ worker: workerId }),
    });
  }

  /** The metrics of a worker that serves them (one given an HTTP port), reading the daemon once it exists. */
  private static metricsFor(
    opts: CompiledWorkerDaemonOptions,
    daemon: () => WorkerDaemon | undefined,
  ): WorkerMetrics | undefined {
    if (opts.httpPort === undefined) return undefined;
    const running = (): number => daemon()?.pool.runningCount ?? 0;
    return new WorkerMetrics(
      {
        slots: opts.slots,
        running,
        // Assigned here and not on a pool process yet: queued in the pool, or waiting for the job's pack.
        queued: () => Math.max(0, (daemon()?.running.size ?? 0) - running()),
        draining: () => daemon()?.draining ?? false,
      },
      { processMetrics: true },
    );
  }

  /** Closes the session, stops the pool and the shuffle service. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.orphans.stop();
    this.observers.health?.setServing(false);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.session?.end();
    this.session?.cancel();
    this.masterClient?.close();
    await this.pool.stop();
    this.peers.close();
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
    await this.bulk.close();
    if (this.observers.http) await stopWorkerHttp(this.observers.http.server);
    this.observers.taskLogs.close();
  }

  private connect(): void {
    if (this.stopped) return;
    this.masterClient?.close();
    const client = createMasterClient(this.options.master, this.options.security);
    this.masterClient = client;
    const session = client.session();
    this.session = session;
    const n = ++this.sessions;
    let registered = false;
    session.on('data', (message: MasterMessage__Output) => {
      if (!registered && message.kind === 'registered') {
        registered = true;
        this.reconnects = 0;
        this.log.info('registered with the master', { master: this.options.master });
        this.firstRegistered();
        if (message.registered) this.registered(message.registered, n);
      }
      this.onMasterMessage(message);
    });
    const lost = (why: string, refusal?: string): void => {
      if (this.session !== session) return;
      this.session = undefined;
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (this.stopped) return;
      if (refusal !== undefined) {
        // Trying again cannot fix a configuration error: stop, and say why.
        this.log.error('the master refused this worker', { why: refusal });
        void this.stop().finally(() =>
          this.refuse(new UserError(`the master at ${this.options.master} refused this worker: ${refusal}`)),
        );
        return;
      }
      const delay = backoffDelay(this.reconnects++, { initialMs: 250, maxMs: 5000 });
      this.log.warn('lost the master; reconnecting', { why, inMs: delay });
      setTimeout(() => this.connect(), delay).unref();
    };
    session.on('error', (err: grpc.ServiceError) => lost(err.message, refusalOf(err)));
    session.on('end', () => lost('session ended'));
    session.write({
      register: {
        workerId: this.workerId,
        dataAddress: this.dataAddress,
        slots: this.options.slots,
        hostname: os.hostname(),
        version: VERSION,
      },
    });
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = setInterval(
      () => this.send({ heartbeat: { running: this.running.size, loadAverage: os.loadavg()[0] ?? 0 } }),
      this.options.heartbeatMs,
    );
    this.heartbeat.unref();
  }

  /**
   * A session was accepted: the master wrote off every attempt of earlier sessions (they
   * stop here), and told which outputs it still counts as committed; the rest of the data
   * dir's attempts, and the packs of jobs it no longer holds, are deleted.
   */
  private registered(r: Registered__Output, session: number): void {
    const old = new Set([...this.running].filter(([, a]) => a.session < session).map(([key]) => key));
    if (old.size) {
      this.log.info('stopping attempts of an earlier session', { attempts: old.size });
      void this.pool.cancel((s) => old.has(`${s.jobId}/${s.taskId}/${s.attempt}`));
    }
    const busy = new Set([...this.running.values()].map((a) => a.dir));
    const packs = this.packs.removeAllBut(new Set([...r.packs, ...[...this.running.values()].map((a) => a.packHash)]));
    const retentionMs = orphanRetentionMs(r);
    removeStaleFiles(this.options.dataDir, r, busy).then(
      ({ orphans, ...removed }) => {
        if (removed.attemptDirs || removed.jobDirs || removed.orphanDirs || packs)
          this.log.info('deleted stale files', { ...removed, packs });
        if (orphans.length)
          this.log.info('keeping job directories no master knows until they are the retention old', {
            jobs: orphans.length,
            retentionMs,
          });
        // Unless a newer session replaced this one meanwhile: its own registration watches.
        if (session === this.sessions) this.orphans.watch(orphans, retentionMs);
      },
      (err: unknown) => this.log.warn('could not delete stale files', { error: (err as Error).message }),
    );
  }

  private send(message: WorkerMessage): void {
    this.session?.write(message);
  }

  private onMasterMessage(message: MasterMessage__Output): void {
    switch (message.kind) {
      case 'assign':
        if (message.assign) void this.runTask(message.assign);
        return;
      case 'cancel':
        if (message.cancel) void this.cancelJob(message.cancel.jobId, message.cancel.deleteFiles);
        return;
      case 'purge':
        if (message.purge) {
          // The pack goes at once, before any later assignment can want it again.
          if (message.purge.packHash) this.packs.remove(message.purge.packHash);
          void this.cancelJob(message.purge.jobId, true);
        }
        return;
      case 'cancelAttempt': {
        const c = message.cancelAttempt;
        if (c && isValidId(c.jobId) && isValidId(c.taskId)) {
          void this.pool
            .cancel((s) => s.jobId === c.jobId && s.taskId === c.taskId && s.attempt === c.attempt)
            .then(() =>
              fs.rmSync(path.join(this.options.dataDir, attemptDir(c.jobId, c.taskId, c.attempt)), {
                recursive: true,
                force: true,
              }),
            );
        }
        return;
      }
      default:
        return;
    }
  }

  /** Stops a job's attempts here; a killed or purged job's files go too (after its processes are gone). */
  private async cancelJob(jobId: string, deleteFiles: boolean): Promise<void> {
    if (!isValidId(jobId)) return;
    await this.pool.cancel((s) => s.jobId === jobId);
    if (deleteFiles) fs.rmSync(path.join(this.options.dataDir, jobDir(jobId)), { recursive: true, force: true });
  }

  /**
   * Graceful shutdown (SIGTERM): tell the master to assign nothing more, let running
   * attempts finish and report for up to the drain timeout, then stop; attempts still
   * running then are handed back (the master runs them elsewhere).
   */
  async drain(): Promise<void> {
    this.log.info('draining', { running: this.running.size, timeoutMs: this.options.drainTimeoutMs });
    // Probes (a Kubernetes readiness check, a load balancer) see it before anything else does.
    this.draining = true;
    this.observers.health?.setServing(false);
    this.send({ drain: {} });
    const deadline = Date.now() + this.options.drainTimeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await this.stop();
  }

  private async runTask(a: TaskAssignment__Output): Promise<void> {
    const key = `${a.jobId}/${a.taskId}/${a.attempt}`;
    // Fields, not a child logger per task: making one was a visible cost for tiny tasks.
    const ids = { job: a.jobId, task: a.taskId, attempt: a.attempt };
    const dir = attemptDir(a.jobId, a.taskId, a.attempt);
    this.running.set(key, { session: this.sessions, dir, packHash: a.packHash });
    try {
      if (!isValidId(a.jobId) || !isValidId(a.taskId))
        throw new TaskAttemptError({ message: 'bad job or task id in assignment', user: false });
      const packPath = await this.packs.ensure(a.packHash);
      const spec = this.toSpec(a, packPath);
      this.log.debug('task started', ids);
      const result = await this.pool.run(spec);
      this.log.debug('task succeeded', { ...ids, millis: result.stats.millis });
      const { stats, counters } = result;
      this.observers.metrics?.attemptEnded({ kind: spec.kind, succeeded: true, stats, counters });
      this.send({
        taskUpdate: {
          jobId: a.jobId,
          taskId: a.taskId,
          attempt: a.attempt,
          outcome: 'TASK_SUCCEEDED',
          ...outputOf(result),
        },
      });
    } catch (err) {
      const failure =
        err instanceof TaskAttemptError
          ? err.failure
          : { message: (err as Error).message, stack: (err as Error).stack, user: false };
      const reason = failureReasonOf(failure);
      this.observers.metrics?.attemptEnded({ kind: a.kind === 'MAP' ? 'map' : 'reduce', succeeded: false, reason });
      this.log.warn('task failed', { ...ids, error: failure.message });
      if (failure.stack) this.log.debug('task failure detail', { ...ids, stack: failure.stack });
      this.send({
        taskUpdate: {
          jobId: a.jobId,
          taskId: a.taskId,
          attempt: a.attempt,
          outcome: 'TASK_FAILED',
          error: failure.message,
          errorDetail: failure.stack ?? '',
          userError: failure.user,
          permanentError: failure.permanent ?? false,
          lostMapTasks: [...(failure.lostMapTasks ?? [])],
          failureReason: reason,
        },
      });
      // A failed or cancelled attempt's output is never used: it goes now, not at purge.
      if (isValidId(a.jobId) && isValidId(a.taskId)) {
        await fs.promises
          .rm(path.join(this.options.dataDir, dir), { recursive: true, force: true })
          .catch(() => undefined);
      }
    } finally {
      this.running.delete(key);
      this.observers.taskLogs.end(a.jobId, a.taskId, a.attempt);
    }
  }

  private toSpec(a: TaskAssignment__Output, packPath: string): TaskSpec {
    const base = {
      security: this.options.security,
      jobId: a.jobId,
      taskId: a.taskId,
      attempt: a.attempt,
      packPath,
      packHash: a.packHash,
      params: a.params,
      partitions: a.partitions,
      sortBufferBytes: a.sortBufferBytes,
      stage: a.stage,
      dataDir: this.options.dataDir,
      workDir: attemptDir(a.jobId, a.taskId, a.attempt),
      workerId: this.workerId,
      httpCa: httpTrustedCa(),
    };
    const format = a.outputFormat || 'text';
    if (a.outputUrl && !isResultFormat(format))
      throw new TaskAttemptError({
        message: `assignment asks for an unknown output format ${JSON.stringify(format.slice(0, 64))}`,
        user: false,
      });
    const output = a.outputUrl && isResultFormat(format) ? { url: a.outputUrl, format } : undefined;
    if (a.kind === 'MAP') {
      if (!a.mapInput?.pieces.length)
        throw new TaskAttemptError({ message: 'map assignment without input', user: false });
      return {
        ...base,
        kind: 'map',
        ...(a.mapOnly ? { mapOnly: true, output } : {}),
        input: a.mapInput.pieces.map(({ path, start, length, result, jsonRecords }) => ({
          path,
          start,
          length,
          ...(result ? { result: resultInputOf(result) } : {}),
          ...(jsonRecords ? { jsonRecords: true } : {}),
        })),
      };
    }
    return { ...base, kind: 'reduce', partition: a.partition, sources: mapOutputSources(a), output };
  }
}

/** A chained map's part file from its assignment; its path is checked against the data layout. */
function resultInputOf(r: ResultSplit__Output): ResultInput {
  if (!isValidId(r.jobId) || !isAttemptFileOf(r.jobId, r.path))
    throw new TaskAttemptError({
      message: `bad result reference ${JSON.stringify(r.path.slice(0, 200))}`,
      user: false,
    });
  return {
    jobId: r.jobId,
    partition: r.partition,
    workerId: r.workerId,
    dataAddress: r.dataAddress,
    path: r.path,
    bytes: r.bytes,
  };
}

function outputOf(result: TaskResult): Pick<TaskUpdate, 'counters' | 'stats' | 'mapOutput' | 'reduceOutput'> {
  const stats = result.stats;
  const common = {
    counters: result.counters,
    stats: {
      recordsIn: stats.recordsIn,
      recordsOut: stats.recordsOut,
      bytesIn: stats.bytesIn,
      bytesOut: stats.bytesOut,
      millis: stats.millis,
      spills: stats.spills,
    },
  };
  if (result.kind === 'map') return { ...common, mapOutput: { dir: result.dir, offsets: [...result.offsets] } };
  const { path, records, bytes, outputUrl } = result;
  return { ...common, reduceOutput: { path, records, bytes, outputUrl: outputUrl ?? '' } };
}

/** The non-empty pieces of a reduce's partition, from the assignment's columns (see groove.proto). */
function mapOutputSources(a: TaskAssignment__Output): MapOutputSource[] {
  const sources: MapOutputSource[] = [];
  for (let i = 0; i < a.outputHost.length; i++) {
    const start = a.outputStart[i] ?? 0;
    const end = a.outputEnd[i] ?? 0;
    if (end <= start) continue;
    const host = a.outputHosts[a.outputHost[i] ?? -1];
    if (!host)
      throw new TaskAttemptError({ message: `reduce assignment names an unknown host for map ${i}`, user: false });
    const taskId = mapTaskId(i);
    sources.push({
      taskId,
      workerId: host.workerId,
      dataAddress: host.dataAddress,
      dir: attemptDir(a.jobId, taskId, a.outputAttempt[i] ?? 0),
      start,
      end,
    });
  }
  return sources;
}

/** A worker keeps its id across restarts in its data dir, so the master recognises it. */
function loadWorkerId(dataDir: string): string {
  const file = path.join(dataDir, 'worker-id');
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (isValidId(id)) return id;
  } catch {
    // first start in this data dir
  }
  const id = `w-${
    os
      .hostname()
      .replace(/[^A-Za-z0-9-]/g, '')
      .slice(0, 20) || 'host'
  }-${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(file, `${id}\n`);
  return id;
}

/**
 * Why the master refused this worker for good, for the errors retrying cannot fix: a
 * registration it refused (FAILED_PRECONDITION, e.g. an unreachable data address) or a
 * credential it refused (UNAUTHENTICATED: a wrong or missing cluster token).
 */
function refusalOf(err: grpc.ServiceError): string | undefined {
  if (err.code === grpc.status.FAILED_PRECONDITION) return err.details;
  if (err.code !== grpc.status.UNAUTHENTICATED) return undefined;
  const why = err.details || err.message;
  return `${why} (give every process the cluster's token: --token-file or MR_TOKEN_FILE)`;
}
