import type { Logger } from '../common/index.js';
import type { JobManager } from './job-manager.js';

/** Bounds of the time between two sweeps, ms: often enough for a short retention, rarely for a long one. */
const MIN_SWEEP_MS = 100;
const MAX_SWEEP_MS = 60_000;

/** What a sweep needs of the master. */
export interface RetentionSweepOptions {
  readonly jobs: JobManager;
  /** Finished jobs this long past their end are purged, ms. */
  readonly retentionMs: number;
  /** The master's clock, ms since epoch (injectable so a test need not wait days). */
  readonly clock: () => number;
  readonly log: Logger;
}

/**
 * Purges the finished jobs (succeeded, failed, killed) that ended at least the retention
 * ago, as `mr purge` does (their records, their files on every worker, their pack when no
 * other job uses it), and forgets purges older than the retention. One pass costs a walk
 * over the jobs held; returns the ids purged.
 */
export function sweepExpiredJobs(options: RetentionSweepOptions): string[] {
  const { jobs, retentionMs, clock, log } = options;
  const cutoff = clock() - retentionMs;
  const expired = jobs
    .list()
    .filter((j) => j.finished && j.finishedAt <= cutoff)
    .map((j) => j.id);
  for (const id of expired) {
    jobs.purge(id);
    log.info('purged a job past the retention', { job: id, retentionMs });
  }
  jobs.purged.expire(cutoff);
  return expired;
}

/** Runs {@link sweepExpiredJobs} periodically (a quarter of the retention, from 100 ms to a minute); returns the stop function. */
export function startRetentionSweep(options: RetentionSweepOptions): () => void {
  const every = Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, Math.floor(options.retentionMs / 4)));
  const timer = setInterval(() => {
    try {
      sweepExpiredJobs(options);
    } catch (err) {
      // A sweep that failed is tried again at the next tick; it must not take the master down.
      options.log.warn('retention sweep failed', { error: (err as Error).message });
    }
  }, every);
  timer.unref();
  return () => clearInterval(timer);
}
