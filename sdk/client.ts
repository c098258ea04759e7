import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Key } from '../common/index.js';
import { envMaster, isMapOnly, JobFailedError, jobStages, UserError } from '../common/index.js';
import { BlockChecksumError, PartFileVerifier } from '../proto/formats/index.js';
import { createMasterClient } from '../proto/wire/index.js';
import { decodeKey } from '../proto/formats/index.js';
import { decodeValue } from '../proto/formats/index.js';
import { NO_SECURITY } from '../proto/wire/index.js';
import { RecordStreamDecoder } from '../proto/formats/index.js';
import type { DataChunk__Output } from '../proto/wire/generated/groove/DataChunk';
import type { JobEvent__Output } from '../proto/wire/generated/groove/JobEvent';
import type { JobStatus__Output } from '../proto/wire/generated/groove/JobStatus';
import type { ListJobsReply__Output } from '../proto/wire/generated/groove/ListJobsReply';
import type { ListWorkersReply__Output } from '../proto/wire/generated/groove/ListWorkersReply';
import type { MasterClient } from '../proto/wire/generated/groove/Master';
import type { PurgeReply__Output } from '../proto/wire/generated/groove/PurgeReply';
import type { ResultLocation__Output } from '../proto/wire/generated/groove/ResultLocation';
import type { ResultLocations__Output } from '../proto/wire/generated/groove/ResultLocations';
import type { Security } from '../proto/wire/index.js';
import type { SubmitJobReply__Output } from '../proto/wire/generated/groove/SubmitJobReply';
import type { TaskLogLine__Output } from '../proto/wire/generated/groove/TaskLogLine';
import type { SubmitJobRequest } from '../proto/wire/generated/groove/SubmitJobRequest';
import type { WorkerInfo__Output } from '../proto/wire/generated/groove/WorkerInfo';
import { createWorkerClient, isAttemptFileOf } from '../worker/index.js';
import { expandInputs } from './input-expander.js';
import { packJobFile } from './job-bundler.js';
import type { PackedJob } from './job-bundler.js';
import { callUnary, fromServiceError } from './rpc.js';
import { storageFor, verifyStoredPart } from '../storage/index.js';
import type { RangeReader } from '../storage/index.js';
import { refuseNonTextInputs } from './text-input-peek.js';
import { withSplitPoints } from './split-sampler.js';
import { SUBMIT_OPTION_TABLE } from '../master/index.js';
import { storedRecords, storedResultsOf } from './stored-results.js';
import type { ResultFormat } from '../proto/formats/index.js';
import { inputName } from './job-input.js';
import { reconnectingWatch } from './reconnecting-watch.js';
import type { WatchOptions, WatchTarget } from './reconnecting-watch.js';
import type { JobInput } from './job-input.js';
import type { JobId, JobType, ResultOf } from './job-result-types.js';

/** A job's status as the master reports it. */
export type JobStatus = JobStatus__Output;
/** One event of a job's history. */
export type JobEvent = JobEvent__Output;
/** Where one partition's part file lives. */
export type ResultPart = ResultLocation__Output;
/** A worker as the master sees it. */
export type WorkerInfo = WorkerInfo__Output;
/**
 * A line job code logged in a task attempt (`ctx.log`, `console`), or, when `unavailable`
 * is set, a note saying which logs cannot be read and why (their worker is lost).
 */
export type TaskLogLine = TaskLogLine__Output;

/** Options of {@link GrooveClient.taskLogs}. */
export interface TaskLogsOptions {
  /**
   * Only this task's attempts (`map-00003`); in a staged job, that task of every stage, or
   * of one stage as `stage2/map-00003`. Default: every task of the job.
   */
  readonly task?: string;
  /** Go on with the lines logged from now on, until the job ends. Default false. */
  readonly follow?: boolean;
  /** Stops the reading (the generator then throws a cancelled error). */
  readonly signal?: AbortSignal;
}

/**
 * How long reading a job's logs (without follow) may take, ms: 60 s. The master gives
 * each worker at most 15 s, and reads them one after the other.
 */
const TASK_LOGS_TIMEOUT_MS = 60_000;

/** Where the master is when nothing says otherwise (the CLI contract's default). */
export const DEFAULT_MASTER = '127.0.0.1:7070';

/** Options of a {@link GrooveClient}. */
export interface ClientOptions {
  /** The master's host:port. Default: env MR_MASTER, else 127.0.0.1:7070. */
  readonly master?: string;
  /** Cluster token and TLS material (see loadSecurity). Default: none. */
  readonly security?: Security;
  /**
   * Data dirs of workers whose files this process can read, by worker id (an
   * {@link EmbeddedCluster}'s own worker): their part files are read from disk rather
   * than streamed over ReadResult. Default: none, every part is read over the network.
   */
  readonly localDataDirs?: ReadonlyMap<string, string>;
}

/** Bytes per read of a local part file. */
const LOCAL_READ_BYTES = 4 * 1024 * 1024;

/** Options of a submission. */
export interface SubmitOptions {
  /**
   * Input paths (files, directories or globs; made absolute here), URLs, and earlier jobs'
   * results (`mr://JOB`, `mr://JOB/PARTITION` or {@link ResultsOf}, e.g. `resultsOf(id)`:
   * the map then receives `[key, value]` records). Required.
   */
  readonly inputs: readonly JobInput[];
  /** Reduce partitions. Default: the job's `partitions`, else 4. */
  readonly partitions?: number;
  /** Values for `ctx.params`. */
  readonly params?: Readonly<Record<string, string>>;
  /**
   * Split size in bytes. Default 64 MiB, lowered for a small input to ceil(input bytes /
   * the cluster's slots), not below 64 KiB, so every slot gets a split; a value given here
   * is used as it is.
   */
  readonly chunkSize?: number;
  /**
   * Pack small files whole into splits of up to the chunk size (up to 1,000 files a split),
   * each record still knowing its own file in `ctx.input`. Default true; false gives every
   * file its own splits, one map task per small file.
   */
  readonly packInputs?: boolean;
  /** Map-side sort buffer per task in bytes. Default: the job's `sortBufferMB`, else 100 MiB. */
  readonly sortBufferBytes?: number;
  /** Failed attempts a task may have before the job fails. Default: the master's (4). */
  readonly maxAttempts?: number;
  /** Backup attempts for stragglers. Default true. */
  readonly speculation?: boolean;
  /**
   * Accept inputs that hold no file: a glob that matches none, a directory with none in it.
   * Default false: such an input is refused by name, as a job over nothing is most often a
   * mistake.
   */
  readonly allowEmpty?: boolean;
  /**
   * A storage URL with a scheme (`s3://BUCKET/PREFIX/`, `file:///abs/dir/`): the results are
   * committed there as `PREFIX/part-NNNNN` and `PREFIX/_SUCCESS` (docs/storage.md), and stay
   * readable when the workers are gone. Default: results on the workers only.
   */
  readonly output?: string;
  /** With `output`: the stored lines' format. Default text. */
  readonly format?: ResultFormat;
  /** With `output`: replace results already under it instead of refusing the job. Default false. */
  readonly overwrite?: boolean;
}

/**
 * The SDK's client of a Groove cluster: submit jobs, follow them, read their results.
 *
 *     const client = new GrooveClient({ master: 'm1:7070' });
 *     const id = await client.submit('jobs/wordcount.ts', { inputs: ['data/'] });
 *     await client.wait(id);
 *     for await (const [word, count] of client.results(id)) console.log(word, count);
 *
 * Told the job's type (`submit<typeof job>`, or `results<typeof job>(id)`), `results`
 * yields the records with the types the job's reduce emits (docs/sdk.md).
 */
export class GrooveClient {
  readonly master: string;
  private rpc: MasterClient;
  private readonly security: Security;
  private readonly localDataDirs: ReadonlyMap<string, string>;

  constructor(options: ClientOptions = {}) {
    this.master = options.master ?? envMaster() ?? DEFAULT_MASTER;
    if (!/^[^\s/]+:\d+$/.test(this.master))
      throw new UserError(`--master must be HOST:PORT, got ${JSON.stringify(this.master)}`);
    this.security = options.security ?? NO_SECURITY;
    this.localDataDirs = options.localDataDirs ?? new Map<string, string>();
    this.rpc = createMasterClient(this.master, this.security);
  }

  /**
   * Bundles a job file and submits it; resolves with the job id. Given the job's type,
   * `submit<typeof job>(...)` after `import type job from './job.js'` (the module's default
   * export; `import type * as job` works too), the id carries it, so `results(id)` yields
   * typed records. The id is a plain string either way.
   */
  async submit<J extends JobType = JobType>(jobFile: string, options: SubmitOptions): Promise<JobId<J>> {
    const inputs = expandInputs(options.inputs.map(inputName), process.cwd(), options.allowEmpty === true);
    return this.submitPacked(await packJobFile(jobFile), { ...options, inputs });
  }

  /**
   * Submits an already bundled job (typed as {@link submit} is). A `totalOrder` job's split
   * points are sampled from the inputs here first (sdk/split-sampler.ts), for the partition
   * count it is submitted with.
   */
  async submitPacked<J extends JobType = JobType>(bundled: PackedJob, options: SubmitOptions): Promise<JobId<J>> {
    const inputs = options.inputs.map(inputName);
    if (bundled.job.binaryText !== true) await refuseNonTextInputs(inputs);
    const partitions = options.partitions ?? bundled.job.partitions ?? SUBMIT_OPTION_TABLE.partitions.default;
    const packed = await withSplitPoints(bundled, inputs, partitions, options.params ?? {}, this);
    const sortBufferBytes =
      options.sortBufferBytes ?? (packed.job.sortBufferMB ? Math.round(packed.job.sortBufferMB * 1024 * 1024) : 0);
    const mapOnly = isMapOnly(packed.job);
    const request: SubmitJobRequest = {
      pack: packed.bytes,
      inputs,
      // A map-only job has no partitions: the master refuses one given with it, by name. A
      // total order's split points are for one count: the master must not pick another.
      partitions:
        packed.job.stages === undefined && packed.job.totalOrder === true
          ? partitions
          : (options.partitions ?? (mapOnly ? 0 : (packed.job.partitions ?? 0))),
      mapOnly,
      params: { ...(options.params ?? {}) },
      chunkSize: options.chunkSize ?? 0,
      sortBufferBytes,
      name: packed.pack.name,
      maxAttempts: options.maxAttempts ?? 0,
      noSpeculation: options.speculation === false,
      allowEmpty: options.allowEmpty === true,
      noPackInputs: options.packInputs === false,
      outputUrl: options.output ?? '',
      outputFormat: options.output !== undefined ? (options.format ?? 'text') : '',
      overwrite: options.overwrite === true,
      reader: jobStages(packed.job)[0]?.reader ?? '',
      clientHost: os.hostname(),
      // A staged job's stages: each one's own partitions, or 0 for the job's (docs/stages.md).
      stagePartitions: packed.job.stages?.map((s) => s.partitions ?? 0) ?? [],
    };
    const reply = await callUnary<SubmitJobReply__Output>(this.master, (o, cb) => this.rpc.submitJob(request, o, cb));
    return reply.jobId;
  }

  status(jobId: string): Promise<JobStatus> {
    return callUnary<JobStatus>(this.master, (o, cb) => this.rpc.getJob({ jobId }, o, cb));
  }

  /**
   * The job's events so far, then live ones until it ends. The watch rides through a lost
   * master (restarted, or the link cut) as {@link reconnectingWatch} says: it reconnects
   * with backoff for up to `options.reconnectTimeoutMs` (default 60 s) and carries on with
   * the same job, without repeating events.
   */
  watch(jobId: string, options?: WatchOptions): AsyncGenerator<JobEvent> {
    return reconnectingWatch(this.watchTarget(), jobId, options);
  }

  /**
   * Waits for the job to end, riding through a lost master as {@link watch} does; resolves
   * with its final status, or throws {@link JobFailedError}.
   */
  async wait(jobId: string, onEvent?: (event: JobEvent) => void, options?: WatchOptions): Promise<JobStatus> {
    let last: JobStatus | null = null;
    for await (const event of this.watch(jobId, options)) {
      if (event.status) last = event.status;
      onEvent?.(event);
    }
    // The stream's last event carries the final status; ask only if it somehow did not.
    const status = last && last.state !== 'running' ? last : await this.status(jobId);
    if (status.state !== 'succeeded') throw new JobFailedError(jobId, status.error || status.state);
    return status;
  }

  private watchTarget(): WatchTarget {
    return {
      master: this.master,
      open: (jobId) => this.rpc.watchJob({ jobId }),
      probe: (jobId, timeoutMs) =>
        callUnary<JobStatus>(this.master, (o, cb) => this.rpc.getJob({ jobId }, o, cb), timeoutMs),
      renew: () => {
        this.rpc.close();
        this.rpc = createMasterClient(this.master, this.security);
      },
    };
  }

  /**
   * What job code logged in the job's task attempts, read from the workers that ran them
   * (docs/logs.md): each attempt's lines in order. With `follow`, the lines logged from then
   * on come too, and the generator ends when the job does. A staged job's lines are every
   * stage's, stage by stage, each `taskId` after its stage (`stage1/map-00000`).
   */
  async *taskLogs(jobId: string, options: TaskLogsOptions = {}): AsyncGenerator<TaskLogLine> {
    const request = { jobId, taskId: options.task ?? '', follow: options.follow === true };
    const call = this.rpc.getTaskLogs(request, options.follow ? {} : { deadline: Date.now() + TASK_LOGS_TIMEOUT_MS });
    const cancel = (): void => call.cancel();
    options.signal?.addEventListener('abort', cancel);
    try {
      for await (const line of call as AsyncIterable<TaskLogLine>) yield line;
    } catch (err) {
      throw fromServiceError(err, this.master);
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      call.cancel();
    }
  }

  /** Where the job's results are: part files on the workers, and the output store's prefix for a job with one. */
  resultLocations(jobId: string): Promise<ResultLocations__Output> {
    return callUnary<ResultLocations__Output>(this.master, (o, cb) => this.rpc.getResultLocations({ jobId }, o, cb));
  }

  /** The job's part files on the workers, by partition (for a job with an output store, those of workers still there). */
  async resultParts(jobId: string): Promise<ResultPart[]> {
    const locations = await this.resultLocations(jobId);
    return [...locations.parts].sort((a, b) => a.partition - b.partition);
  }

  /** The records of one part file, in key order. */
  async *readPart(jobId: string, part: ResultPart): AsyncGenerator<[Key, unknown]> {
    const decoder = new RecordStreamDecoder();
    for await (const chunk of this.readPartBytes(jobId, part)) {
      const batch: [Key, unknown][] = [];
      // Decoded binary values are views into the chunk, whose memory may be reused: decode from a copy.
      decoder.push(Buffer.from(chunk), (k, v) => batch.push([decodeKey(k), decodeValue(v)]));
      yield* batch;
    }
    decoder.end();
  }

  /**
   * The records of one part file as bytes (framed as in proto/record-file.ts, without its
   * checksummed blocks' headers) in chunks of any size: from disk when its worker is one of
   * `localDataDirs`, else streamed from the worker. The whole file is verified before its
   * first chunk comes (by its worker, or here when read from disk), and every block again
   * as it arrives: a corrupt or short part file is a {@link UserError} naming the partition
   * and worker, before any of its records. A chunk's memory may be reused once the next
   * one is asked for: copy what must outlive that.
   */
  readPartBytes(jobId: string, part: ResultPart): AsyncGenerator<Buffer> {
    const local = this.localPartPath(jobId, part);
    return local !== undefined ? readLocalPart(local, part) : this.streamPart(jobId, part);
  }

  /** Where a part file is on this host's disk, when its worker is one of `localDataDirs`. */
  localPartPath(jobId: string, part: ResultPart): string | undefined {
    const dataDir = this.localDataDirs.get(part.workerId);
    // The path comes from the master: only a part file of this job is read, as the worker's own data service checks.
    return dataDir !== undefined && isAttemptFileOf(jobId, part.path) ? path.join(dataDir, part.path) : undefined;
  }

  private async *streamPart(jobId: string, part: ResultPart): AsyncGenerator<Buffer> {
    const worker = createWorkerClient(part.dataAddress, this.security);
    const call = worker.readResult({ jobId, path: part.path });
    const verifier = new PartFileVerifier(`part file ${part.path} as received`);
    try {
      for await (const chunk of call as AsyncIterable<DataChunk__Output>) yield verifier.push(chunk.data);
      verifier.end();
    } catch (err) {
      if (err instanceof BlockChecksumError) throw corruptPart(part, err.message, err);
      const code = (err as { code?: unknown }).code;
      if (code === grpc.status.DATA_LOSS) throw corruptPart(part, (err as grpc.ServiceError).details, err);
      if (
        code === grpc.status.UNAVAILABLE ||
        code === grpc.status.DEADLINE_EXCEEDED ||
        code === grpc.status.CANCELLED
      ) {
        throw new UserError(
          `cannot read partition ${part.partition} from worker ${part.workerId} at ${part.dataAddress}: it is unreachable (results live on the workers; if it is gone, run the job again)`,
          { cause: err },
        );
      }
      throw fromServiceError(err, part.dataAddress);
    } finally {
      call.cancel();
      worker.close();
    }
  }

  /**
   * The job's output records, partition by partition, each partition in key order: from the
   * workers' part files (the records with the types the reducers emitted) while every one
   * is there, else, for a job with an output store, from the store (jsonl only: see
   * storedRecords). Typed by the job the id carries ({@link submit}) or the one given
   * (`results<typeof job>(id)`): `[RK, RV]`, the types its reduce emits (the records are
   * decoded as they were emitted; the type is the job's word for it, not checked here).
   */
  async *results<J extends JobType = JobType>(jobId: JobId<J>): AsyncGenerator<ResultOf<J>> {
    const locations = await this.resultLocations(jobId);
    const stored = storedResultsOf(locations);
    if (stored && locations.parts.length < stored.partitions) {
      yield* storedRecords(stored) as AsyncGenerator<ResultOf<J>>;
      return;
    }
    const parts = [...locations.parts].sort((a, b) => a.partition - b.partition);
    for (const part of parts) yield* this.readPart(jobId, part) as AsyncGenerator<ResultOf<J>>;
  }

  kill(jobId: string): Promise<JobStatus> {
    return callUnary<JobStatus>(this.master, (o, cb) => this.rpc.killJob({ jobId }, o, cb));
  }

  async purge(jobId: string): Promise<void> {
    await callUnary<PurgeReply__Output>(this.master, (o, cb) => this.rpc.purgeJob({ jobId }, o, cb));
  }

  async jobs(): Promise<JobStatus[]> {
    const reply = await callUnary<ListJobsReply__Output>(this.master, (o, cb) => this.rpc.listJobs({}, o, cb));
    return reply.jobs;
  }

  async workers(): Promise<WorkerInfo[]> {
    const reply = await callUnary<ListWorkersReply__Output>(this.master, (o, cb) => this.rpc.listWorkers({}, o, cb));
    return reply.workers;
  }

  /** Closes the connection to the master. */
  close(): void {
    this.rpc.close();
  }
}

/**
 * The one-line error of a corrupt or short part file: it names the partition and its
 * worker, and says how to get the partition back.
 */
export function corruptPart(part: ResultPart, reason: string, cause: unknown): UserError {
  return new UserError(
    `partition ${part.partition} on worker ${part.workerId} is corrupt (${reason}); nothing of it was printed; run the job again to recompute it while its inputs exist`,
    { cause },
  );
}

/**
 * Reads a part file of a worker on this host through the storage seam (where the reducer
 * wrote it), verified whole first (see readPartBytes), the next block's read overlapping
 * the caller's work on the current one. Two blocks take turns, so a file costs no garbage.
 */
async function* readLocalPart(file: string, part: ResultPart): AsyncGenerator<Buffer> {
  let handle: RangeReader;
  try {
    await verifyStoredPart(file);
    handle = await storageFor(file).openReader(file);
  } catch (err) {
    if (err instanceof BlockChecksumError) throw corruptPart(part, err.message, err);
    throw new UserError(`cannot read partition ${part.partition} from ${file}: ${(err as Error).message} (purged?)`, {
      cause: err,
    });
  }
  const verifier = new PartFileVerifier(file);
  const blocks = [Buffer.allocUnsafe(LOCAL_READ_BYTES), Buffer.allocUnsafe(LOCAL_READ_BYTES)] as const;
  try {
    let position = 0;
    const readInto = async (block: Buffer): Promise<Buffer> => {
      const at = position;
      position += block.length;
      return block.subarray(0, await handle.read(block, 0, block.length, at));
    };
    let turn = 0;
    let next = readInto(blocks[0]);
    for (;;) {
      const block = await next;
      if (block.length === 0) break;
      // A short read (not at the end) would leave a gap: read on from where it stopped.
      if (block.length < LOCAL_READ_BYTES) position -= LOCAL_READ_BYTES - block.length;
      turn ^= 1;
      next = readInto(blocks[turn] as Buffer);
      // A failed read-ahead is reported by the await above on the next turn, or dropped if the caller stops.
      next.catch(() => undefined);
      yield verifier.push(block);
    }
    verifier.end();
  } catch (err) {
    if (err instanceof BlockChecksumError) throw corruptPart(part, err.message, err);
    throw err;
  } finally {
    await handle.close();
  }
}
