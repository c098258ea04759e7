import { NotFoundError } from '../../common/index.js';
import type { JobStatus } from '../../proto/wire/generated/groove/JobStatus';
import type { WorkerInfo } from '../../proto/wire/generated/groove/WorkerInfo';
import { renderJobEvent } from '../job-event.js';
import type { RenderedJobEvent } from '../job-event.js';
import type { JobManager } from '../job-manager.js';
import { toJobStatus } from '../job-status.js';
import type { Job } from '../job.js';
import { workerInfo } from '../worker-info.js';
import type { WorkerRegistry } from '../worker-registry.js';
import { taskPage, workerAttempts } from './task-rows.js';
import type { TaskPage, WorkerAttemptRow } from './task-rows.js';

/** The most tasks one `/api/jobs/ID/tasks` answer holds. */
export const MAX_TASKS_PER_PAGE = 5000;
/** How many of a worker's attempts `/api/workers/ID` shows. */
export const WORKER_ATTEMPTS_SHOWN = 200;

/** What the JSON API reads. */
export interface WebApiContext {
  readonly jobs: JobManager;
  readonly workers: WorkerRegistry;
  /** Failed attempts of one job after which a worker gets no more of its tasks (MasterOptions.blacklistAfter). */
  readonly blacklistAfter: number;
}

/** A worker in the web UI: ListWorkers' WorkerInfo, and the running jobs that blacklisted it. */
export type WebWorker = WorkerInfo & { readonly blacklistedBy: string[] };

/** `/api/workers/ID`: the worker, its recent attempts and, of them, its failures. */
export interface WebWorkerDetail {
  readonly worker: WebWorker;
  readonly attempts: WorkerAttemptRow[];
  readonly failures: WorkerAttemptRow[];
}

/** An answer of the API: the JSON body, or undefined for a path it does not know. */
export type ApiAnswer = JobStatus | JobStatus[] | TaskPage | RenderedJobEvent[] | WebWorker[] | WebWorkerDetail;

function webWorker(ctx: WebApiContext, id: string): WebWorker {
  const w = ctx.workers.get(id);
  if (!w) throw new NotFoundError(`no such worker: ${id}`);
  const blacklistedBy = ctx.jobs
    .list()
    .filter((j) => !j.finished && (j.workerFailures.get(id) ?? 0) >= ctx.blacklistAfter)
    .map((j) => j.id);
  return { ...workerInfo(w), blacklistedBy };
}

/** A non-negative integer query parameter, or `fallback` when absent or not one. */
function intParam(params: URLSearchParams, name: string, fallback: number): number {
  const v = Number(params.get(name) ?? NaN);
  return Number.isSafeInteger(v) && v >= 0 ? v : fallback;
}

function jobAnswer(job: Job, rest: string, params: URLSearchParams): ApiAnswer | undefined {
  if (rest === '') return toJobStatus(job);
  if (rest === '/events') return job.events.map(renderJobEvent);
  if (rest === '/tasks') {
    const limit = Math.min(MAX_TASKS_PER_PAGE, intParam(params, 'limit', MAX_TASKS_PER_PAGE));
    return taskPage(job, intParam(params, 'offset', 0), limit);
  }
  return undefined;
}

/**
 * Answers `GET /api/...` (docs/web-ui.md): the same shapes, camelCase, as the gRPC replies
 * (JobStatus, WorkerInfo, JobEvent) plus what only the UI shows (task rows). Throws
 * NotFoundError for an unknown job or worker; undefined for an unknown path.
 */
export function apiAnswer(ctx: WebApiContext, pathname: string, params: URLSearchParams): ApiAnswer | undefined {
  if (pathname === '/api/jobs') return ctx.jobs.list().map(toJobStatus);
  if (pathname === '/api/workers') return ctx.workers.all().map((w) => webWorker(ctx, w.id));
  const job = /^\/api\/jobs\/([^/]+)(\/[a-z]+)?$/.exec(pathname);
  if (job) return jobAnswer(ctx.jobs.get(decodeURIComponent(job[1] as string)), job[2] ?? '', params);
  const worker = /^\/api\/workers\/([^/]+)$/.exec(pathname);
  if (worker) {
    const w = webWorker(ctx, decodeURIComponent(worker[1] as string));
    const attempts = workerAttempts(ctx.jobs.list(), w.workerId ?? '', WORKER_ATTEMPTS_SHOWN);
    const failures = attempts.filter((a) => a.outcome === 'failed' || a.outcome === 'fetch-failed');
    return { worker: w, attempts, failures };
  }
  return undefined;
}
