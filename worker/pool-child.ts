/**
 * Entry point of a pool process. It runs one task at a time for the daemon that forked
 * it, keeps each job's code loaded across tasks (keyed by pack hash), and reports every
 * outcome as a typed message. Job code runs here and nowhere else.
 */
import { Console } from 'node:console';
import * as fs from 'node:fs';
import { Writable } from 'node:stream';
import { decodeJobPack, packHash } from '../proto/formats/index.js';
import { loadJobCode } from './job-loader.js';
import { JobSourceMap } from './job-source-map.js';
import type { AnyJob } from './job-loader.js';
import type { ChildToParent, ParentToChild } from './pool-messages.js';
import { runMapOnlyTask, runMapTask } from './task-runtime/index.js';
import { runReduceTask } from './task-runtime/index.js';
import { FetchFailedError } from './shuffle/index.js';
import type { OpenFetchAnswer, OpenFetchRequest } from './shuffle/index.js';
import { UserCodeError } from './task-runtime/index.js';
import { BadInputError } from './task-runtime/index.js';
import type { TaskFailure, TaskSpec } from './task-spec.js';
import { filterProcessWarnings, JobFileError, jobStages } from '../common/index.js';
import { setHttpTrustedCa } from '../storage/index.js';

/** A job's code as loaded here, with its bundle's source map for the stacks of its errors. */
interface LoadedJob {
  /** The job's stages, each as a job of its own (a job of one stage: itself); see jobStages. */
  readonly stages: readonly AnyJob[];
  readonly sourceMap: JobSourceMap | undefined;
  /** A totalOrder job's split points (encoded keys), decoded once. */
  readonly splits: readonly Buffer[] | undefined;
}

/** Loaded jobs by pack hash; a pool process usually serves one or two jobs at a time. */
const jobs = new Map<string, LoadedJob>();
const MAX_CACHED_JOBS = 8;
const PROGRESS_INTERVAL_MS = 500;

function send(message: ChildToParent): void {
  process.send?.(message);
}

/** Fetches asked of the daemon and not answered yet, by id. */
const fetchesOpening = new Map<number, (answer: OpenFetchAnswer) => void>();
let lastFetchId = 0;

/**
 * Asks the daemon to open a fetch: it makes the gRPC call on its own client to the peer, so
 * this process never loads grpc-js. The daemon bounds every call (deadline, idle timeout),
 * and this process exits when the daemon goes away, so no answer is waited for forever.
 */
function openFetch(request: OpenFetchRequest): Promise<OpenFetchAnswer> {
  return new Promise<OpenFetchAnswer>((resolve) => {
    const id = ++lastFetchId;
    fetchesOpening.set(id, resolve);
    send({ type: 'openFetch', id, request });
  });
}

/** The task running now (one at a time): what job code's console lines are tagged with. */
let current: { readonly jobId: string; readonly taskId: string; readonly attempt: number } = {
  jobId: '',
  taskId: '',
  attempt: 0,
};

/** A stream whose every write (one console call) goes to the daemon's log as a job line. */
function jobLines(level: 'info' | 'warn'): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done): void {
      const text = String(chunk);
      send({
        type: 'log',
        level,
        message: text.endsWith('\n') ? text.slice(0, -1) : text,
        jobId: current.jobId,
        taskId: current.taskId,
        attempt: current.attempt,
      });
      done();
    },
  });
}

/**
 * The `console` of job code: log/info/debug lines at info, warn/error/trace at warn, all
 * sent to the daemon, which keeps them in the attempt's log (docs/logs.md) and writes them
 * to its own log (stderr), never to this process's stdout.
 */
const jobConsole = new Console({ stdout: jobLines('info'), stderr: jobLines('warn') });

function jobFor(spec: TaskSpec): LoadedJob {
  let loaded = jobs.get(spec.packHash);
  if (!loaded) {
    const bytes = fs.readFileSync(spec.packPath);
    // Content addressed: a pack damaged on this worker's disk must not run as the job.
    const actual = packHash(bytes);
    if (actual !== spec.packHash)
      throw new Error(`job pack ${spec.packPath} is corrupt on this worker (its hash is ${actual})`);
    const pack = decodeJobPack(bytes);
    loaded = {
      stages: jobStages(loadJobCode(pack.code, pack.source, jobConsole)),
      sourceMap: JobSourceMap.ofBundle(pack.code, pack.source),
      splits: pack.splits?.map((s) => Buffer.from(s, 'base64')),
    };
    if (jobs.size >= MAX_CACHED_JOBS) jobs.delete(jobs.keys().next().value as string);
    jobs.set(spec.packHash, loaded);
  }
  return loaded;
}

function toFailure(err: unknown, sourceMap: JobSourceMap | undefined): TaskFailure {
  if (err instanceof FetchFailedError) return { message: err.message, user: false, lostMapTasks: err.mapTaskIds };
  if (err instanceof BadInputError) return { message: err.message, user: true, permanent: true };
  if (err instanceof UserCodeError && err.stack && sourceMap) {
    // The user's file and line, not the bundle's: in the stack, and the first one in the message.
    const stack = sourceMap.mapStack(err.stack);
    const at = sourceMap.firstUserFrame(err.stack);
    return { message: at ? `${err.message} (at ${at})` : err.message, stack, user: true };
  }
  if (err instanceof UserCodeError || err instanceof JobFileError) {
    return { message: err.message, stack: err.stack, user: true };
  }
  if (err instanceof Error) return { message: err.message, stack: err.stack, user: false };
  return { message: String(err), user: false };
}

async function run(spec: TaskSpec): Promise<void> {
  current = { jobId: spec.jobId, taskId: spec.taskId, attempt: spec.attempt };
  const log = (level: 'info' | 'warn', message: string): void =>
    send({ type: 'log', level, message, taskId: spec.taskId, jobId: spec.jobId, attempt: spec.attempt });
  // Progress goes up at most every PROGRESS_INTERVAL_MS; the daemon kills a task that
  // sends none for its task timeout (a hung or looping user function). Checking the clock
  // only every 256 records keeps this off the hot path.
  let calls = 0;
  let last = 0;
  const progress = (coarse = false): void => {
    if (!coarse && (++calls & 255) !== 0) return;
    const now = Date.now();
    if (now - last >= PROGRESS_INTERVAL_MS) {
      last = now;
      send({ type: 'progress', taskId: spec.taskId, attempt: spec.attempt });
    }
  };
  let sourceMap: JobSourceMap | undefined;
  try {
    setHttpTrustedCa(spec.httpCa); // the daemon's --ca; the same one again costs a comparison
    const loaded = jobFor(spec);
    const job = loaded.stages[spec.stage ?? 0];
    // The master plans stages from what the client read of this same pack: a mismatch is a bug.
    if (!job) throw new Error(`the job pack has ${loaded.stages.length} stages; no stage ${(spec.stage ?? 0) + 1}`);
    sourceMap = loaded.sourceMap;
    const result =
      spec.kind === 'reduce'
        ? await runReduceTask(spec, job, log, progress, openFetch)
        : spec.mapOnly
          ? await runMapOnlyTask(spec, job, log, progress, openFetch)
          : await runMapTask(spec, job, log, progress, openFetch, loaded.splits);
    send({ type: 'done', taskId: spec.taskId, attempt: spec.attempt, result });
  } catch (err) {
    send({ type: 'failed', taskId: spec.taskId, attempt: spec.attempt, failure: toFailure(err, sourceMap) });
  }
}

filterProcessWarnings();

process.on('message', (message: ParentToChild) => {
  switch (message.type) {
    case 'run':
      void run(message.spec);
      break;
    case 'fetchOpened':
      fetchesOpening.get(message.id)?.(message.answer);
      fetchesOpening.delete(message.id);
      break;
    case 'shutdown':
      process.disconnect?.();
      process.exit(0);
  }
});

// The daemon going away (crash, kill -9) closes the IPC channel: never outlive it.
process.on('disconnect', () => process.exit(0));

send({ type: 'ready', pid: process.pid });
