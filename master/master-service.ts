import type * as grpc from '@grpc/grpc-js';
import { NotFoundError, PreconditionFailedError, UserError } from '../common/index.js';
import type { Logger, Security } from '../common/index.js';
import { DATA_CHUNK_BYTES, toServiceError } from '../proto/wire/index.js';
import { isValidId } from '../proto/formats/index.js';
import type { MasterHandlers } from '../proto/wire/generated/groove/Master';
import type { MasterMessage } from '../proto/wire/generated/groove/MasterMessage';
import type { RegisterWorker__Output } from '../proto/wire/generated/groove/RegisterWorker';
import type { WorkerMessage__Output } from '../proto/wire/generated/groove/WorkerMessage';
import type { EncodedMasterMessage } from '../proto/wire/index.js';
import type { GetPackRequest__Output } from '../proto/wire/generated/groove/GetPackRequest';
import type { JobEvent } from '../proto/wire/generated/groove/JobEvent';
import type { JobRequest__Output } from '../proto/wire/generated/groove/JobRequest';
import type { PackChunk } from '../proto/wire/generated/groove/PackChunk';
import type { ResultLocation } from '../proto/wire/generated/groove/ResultLocation';
import type { ResultLocations } from '../proto/wire/generated/groove/ResultLocations';
import type { OutputTarget } from './output-target.js';
import type { SubmitJobRequest__Output } from '../proto/wire/generated/groove/SubmitJobRequest';
import type { Job } from './job.js';
import { resultTask } from './job-results.js';
import type { Submitter } from './submitter.js';
import { renderJobEvent } from './job-event.js';
import type { RenderedJobEvent } from './job-event.js';
import type { JobEventRecord } from './job-event.js';
import type { JobManager } from './job-manager.js';
import { hasLaterStage } from './job-stage.js';
import type { JobStage } from './job-stage.js';
import type { MasterMetrics } from './master-metrics.js';
import { toJobStatus } from './job-status.js';
import type { PackStore } from './pack-store.js';
import { probeAddress } from './reachability.js';
import { checkSubmission } from './submission-limits.js';
import { workerInfo } from './worker-info.js';
import { getTaskLogs } from './task-log-relay.js';
import type { WorkerEntry, WorkerRegistry } from './worker-registry.js';

/** How often a watched job's events carry its full status, ms. */
const STATUS_EVERY_MS = 250;

/** Settings the service needs from the master. */
export interface MasterServiceContext {
  readonly jobs: JobManager;
  readonly workers: WorkerRegistry;
  readonly packs: PackStore;
  readonly log: Logger;
  readonly heartbeatMs: number;
  /** Sent to workers: how old a directory of a job the master does not know must be before it goes, ms. */
  readonly retentionMs: number;
  /** The master's metrics, when it serves them. */
  readonly metrics?: MasterMetrics;
  /** The master's credentials as a client of the workers (it reads their task logs). */
  readonly security: Security;
}

/**
 * A worker the master will not take, for a reason of its configuration (say, a data address
 * the master cannot reach): sent as FAILED_PRECONDITION, on which a worker stops instead of
 * reconnecting, since trying again cannot help.
 */
class RegistrationRefused extends PreconditionFailedError {}

/** Turns any thrown error into a gRPC status, its code chosen by the error's class: user mistakes keep their message, bugs are INTERNAL. */
function toStatus(err: unknown): grpc.ServiceError {
  return toServiceError(err);
}

/** Runs a unary handler, answering with its value or its error as a status. */
function unary<Req, Res>(
  fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Res | Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then((res) => callback(null, res))
      .catch((err: unknown) => callback(toStatus(err)));
  };
}

/** What acceptWorker needs of a worker's session. */
interface SessionLink {
  isClosed(): boolean;
  write(message: MasterMessage | EncodedMasterMessage): void;
  close(why: string): void;
}

/**
 * Registers a worker on a session, or refuses it: first the master connects to its data
 * address (reducers and clients will dial it: a worker nobody can reach there would have
 * its outputs recomputed again and again). Resolves with the entry, or undefined when the
 * session closed meanwhile.
 */
async function acceptWorker(
  ctx: MasterServiceContext,
  r: RegisterWorker__Output,
  link: SessionLink,
): Promise<WorkerEntry | undefined> {
  const { jobs, workers, log } = ctx;
  if (
    !isValidId(r.workerId) ||
    !/^[^\s/]+:\d+$/.test(r.dataAddress) ||
    !Number.isInteger(r.slots) ||
    r.slots < 1 ||
    r.slots > 1024
  ) {
    throw new UserError('bad registration');
  }
  const unreachable = await probeAddress(r.dataAddress);
  if (unreachable) {
    throw new RegistrationRefused(
      `the master cannot reach worker ${r.workerId} at its data address ${r.dataAddress} (${unreachable}); start the worker with --advertise set to a name or address of its host that the master, the other workers and clients can reach`,
    );
  }
  if (link.isClosed()) return undefined;
  // The same worker coming back on a new session: whatever the old session had is gone.
  const previous = workers.get(r.workerId);
  // An expected worker (see WorkerState) keeps the outputs a restarted master's journal counts.
  if (previous && previous.state !== 'lost' && previous.state !== 'expected') {
    ctx.metrics?.attemptsLost(previous);
    jobs.workerLost(previous);
    previous.disconnect('replaced by a new session');
  }
  const entry = workers.register({
    id: r.workerId,
    dataAddress: r.dataAddress,
    slots: r.slots,
    hostname: r.hostname,
    send: link.write,
    disconnect: link.close,
  });
  // After workerLost: the outputs it dropped are stale now, and the worker deletes them.
  const committed = jobs.committedOn(entry.id);
  link.write({
    registered: {
      workerId: entry.id,
      heartbeatMs: ctx.heartbeatMs,
      committed,
      packs: jobs.packsInUse(),
      heldJobs: jobs.list().map((j) => j.id),
      purgedJobs: jobs.purged.ids(),
      retentionMs: ctx.retentionMs,
    },
  });
  log.info('worker registered', {
    worker: entry.id,
    dataAddress: entry.dataAddress,
    slots: entry.slots,
    committedJobs: committed.length,
  });
  jobs.workerJoined(entry);
  return entry;
}

/** A worker's session: its registration, then its heartbeats, task updates and drain request. */
function workerSession(
  ctx: MasterServiceContext,
  call: grpc.ServerDuplexStream<WorkerMessage__Output, MasterMessage>,
): void {
  const { jobs, workers, log } = ctx;
  let worker: WorkerEntry | undefined;
  let registering = false;
  let closed = false;
  const close = (why: string): void => {
    if (closed) return;
    closed = true;
    if (worker && workers.get(worker.id) === worker && worker.state !== 'lost') {
      (why === 'session ended' ? log.info : log.warn)('worker left', { worker: worker.id, why });
      ctx.metrics?.attemptsLost(worker);
      jobs.workerLost(worker);
    }
    call.end();
  };
  const fail = (err: unknown): void => {
    if (closed) return;
    const refused = err instanceof RegistrationRefused;
    (refused ? log.error : log.warn)(refused ? 'worker refused' : 'bad session message', {
      error: (err as Error).message,
    });
    call.emit('error', toStatus(err));
    close(refused ? 'refused' : 'protocol error');
  };
  const register = (r: RegisterWorker__Output): Promise<WorkerEntry | undefined> =>
    acceptWorker(ctx, r, {
      isClosed: () => closed,
      // An EncodedMasterMessage goes out as it is (see acceptingEncodedMessages in master.ts).
      write: (m) => {
        if (!closed) call.write(m as MasterMessage);
      },
      close,
    });
  call.on('data', (message: WorkerMessage__Output) => {
    try {
      if (message.kind === 'register' && message.register) {
        if (worker || registering) throw new UserError('already registered');
        registering = true;
        register(message.register).then((entry) => (worker = entry), fail);
        return;
      }
      // Heartbeats sent while the master checks the worker's address wait for nothing.
      if (!worker && registering) return;
      if (!worker) throw new UserError('register first');
      workers.touch(worker);
      if (message.kind === 'heartbeat' && message.heartbeat) workers.reportLoad(worker, message.heartbeat.loadAverage);
      if (message.kind === 'taskUpdate' && message.taskUpdate) {
        ctx.metrics?.taskReport(message.taskUpdate);
        jobs.taskUpdate(worker, message.taskUpdate);
      } else if (message.kind === 'drain') jobs.workerDraining(worker);
    } catch (err) {
      fail(err);
    }
  });
  call.on('end', () => close('session ended'));
  call.on('error', (err) => close(err.message));
  call.on('cancelled', () => close('cancelled'));
}

/** Streams a job pack to a worker, in chunks. */
function sendPack(packs: PackStore, call: grpc.ServerWritableStream<GetPackRequest__Output, PackChunk>): void {
  const bytes = packs.get(call.request.hash);
  if (!bytes) {
    call.emit('error', toStatus(new NotFoundError(`no such pack ${call.request.hash}`)));
    return;
  }
  for (let i = 0; i < bytes.length; i += DATA_CHUNK_BYTES)
    call.write({ data: bytes.subarray(i, i + DATA_CHUNK_BYTES) });
  call.end();
}

/** An event of a stage of a staged job, said so when it starts or ends a stage. */
function stageEvent(e: RenderedJobEvent, record: JobEventRecord, stage: JobStage | undefined): RenderedJobEvent {
  if (!stage || (record.kind !== 'job-submitted' && record.kind !== 'job-succeeded')) return e;
  const which = `stage ${stage.index + 1}/${stage.partitions.length}`;
  return { ...e, message: record.kind === 'job-submitted' ? `${which}: ${e.message}` : `${which} ${e.message}` };
}

/** Streams a job's events, those so far and then the new ones, until it ends. */
function watchJob(jobs: JobManager, call: grpc.ServerWritableStream<JobRequest__Output, JobEvent>): void {
  let job: Job;
  try {
    job = jobs.get(call.request.jobId);
  } catch (err) {
    call.emit('error', toStatus(err));
    return;
  }
  // The status rides along at most every STATUS_EVERY_MS (and always with the last
  // event): a job of a million tasks makes millions of events, and a full status on
  // each would cost the master more than the scheduling itself.
  let statusAt = 0;
  const send = (record: JobEventRecord): void => {
    const e = stageEvent(renderJobEvent(record), record, job.spec.stage);
    const now = Date.now();
    const withStatus = e.type === 'state' || job.finished || now - statusAt >= STATUS_EVERY_MS;
    if (withStatus) statusAt = now;
    call.write({ time: e.time, type: e.type, message: e.message, status: withStatus ? toJobStatus(job) : null });
  };
  let unsubscribe = (): void => undefined;
  let cancelled = false;
  const attach = (): void => {
    for (const e of job.events) send(e);
    if (job.finished) return next();
    unsubscribe = job.subscribe((e) => {
      send(e);
      if (!job.finished) return;
      unsubscribe();
      next();
    });
  };
  // A staged job's stages are jobs of their own (docs/stages.md): the watch goes on with the
  // next stage's, which the master starts in the same turn as the last one ended.
  const next = (): void => {
    if (cancelled || !(hasLaterStage(job.spec.stage) && job.state === 'succeeded')) return void call.end();
    setImmediate(() => {
      const ended = job;
      try {
        job = jobs.get(ended.spec.stage?.of ?? call.request.jobId);
      } catch {
        return void call.end();
      }
      if (job === ended || cancelled) return void call.end();
      attach();
    });
  };
  attach();
  call.on('cancelled', () => {
    cancelled = true;
    unsubscribe();
  });
}

/** Where a succeeded job's part files are; refused when the job has none, or one is on a lost worker. */
function resultLocations(ctx: MasterServiceContext, jobId: string): ResultLocations {
  const job = ctx.jobs.get(jobId);
  if (job.state !== 'succeeded') {
    throw new UserError(`job ${job.id} has no results: it is ${job.state}${job.error ? ` (${job.error})` : ''}`);
  }
  const output = job.spec.output;
  if (output) return storedResultLocations(ctx, job, output);
  return {
    jobId: job.id,
    parts: Array.from({ length: job.partFiles.length }, (_, partition) => {
      const t = resultTask(job, partition);
      const p = job.partFile(t);
      if (!p) throw new Error(`${t.id} has no part file`);
      if (ctx.workers.get(p.workerId)?.state === 'lost') {
        const where = `the results of partition ${partition} were on worker ${p.workerId}`;
        throw new UserError(`${where}, which is lost; run the job again`);
      }
      return { partition, workerId: p.workerId, dataAddress: p.dataAddress, path: p.path };
    }),
  };
}

/**
 * A job committed to a store: its results are there, partition p at PREFIX/part-NNNNN,
 * whatever became of the workers; the part files of workers still there are listed too,
 * for readers that want the records typed.
 */
function storedResultLocations(ctx: MasterServiceContext, job: Job, output: OutputTarget): ResultLocations {
  const parts: ResultLocation[] = [];
  for (let partition = 0; partition < job.partFiles.length; partition++) {
    const p = job.partFile(resultTask(job, partition));
    if (!p || ctx.workers.get(p.workerId)?.state === 'lost') continue;
    parts.push({ partition, workerId: p.workerId, dataAddress: p.dataAddress, path: p.path });
  }
  return { jobId: job.id, parts, outputUrl: output.url, outputFormat: output.format, partitions: job.partFiles.length };
}

/** A worker as `mr workers` lists it. */
/**
 * Who submitted a job: the host name the client gave (cut to a sane length: it is the
 * client's word) and the address the call came from (`ipv4:1.2.3.4:5678` -> `1.2.3.4`).
 */
function submitter(req: SubmitJobRequest__Output, peer: string): Submitter {
  const address = peer
    .replace(/^ipv[46]:/, '')
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1');
  return { host: req.clientHost.slice(0, 255), address };
}

/** The master's gRPC handlers: worker sessions, packs, and the client API. */
export function createMasterService(ctx: MasterServiceContext): MasterHandlers {
  const { jobs, workers, packs } = ctx;
  return {
    Session: (call) => workerSession(ctx, call),
    GetPack: (call) => sendPack(packs, call),
    SubmitJob: unary(async (req, call) => {
      // The pack is stored only once the job is accepted: a refused submission leaves nothing.
      const pack = packs.check(req.pack);
      const submission = { ...checkSubmission(req, pack.hash, pack.name), submittedBy: submitter(req, call.getPeer()) };
      const job = await jobs.submit(submission, () => packs.keep(pack));
      // A staged job's id is its last stage's, whichever stage runs first.
      return { jobId: job.spec.stage?.of ?? job.id };
    }),
    // Answered once the journal holds what it reports (commits are journaled off the event
    // loop): a master restarted after kill -9 never takes back a commit a client was shown.
    GetJob: unary(async (req) => {
      const status = toJobStatus(jobs.get(req.jobId));
      await jobs.durable();
      return status;
    }),
    WatchJob: (call) => watchJob(jobs, call),
    ListJobs: unary(() => ({ jobs: jobs.list().map(toJobStatus) })),
    ListWorkers: unary(() => ({ workers: workers.all().map(workerInfo) })),
    // A kill or purge is answered once the journal has it: a restart does not bring the job back.
    KillJob: unary(async (req) => {
      const job = jobs.kill(req.jobId);
      await jobs.durable();
      return toJobStatus(job);
    }),
    PurgeJob: unary(async (req) => {
      jobs.purge(req.jobId);
      await jobs.durable();
      return { jobId: req.jobId };
    }),
    GetResultLocations: unary((req) => resultLocations(ctx, req.jobId)),
    GetTaskLogs: (call) => getTaskLogs(ctx, call),
  };
}
