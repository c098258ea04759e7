import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommittedAttempts__Output } from '../proto/wire/generated/groove/CommittedAttempts';
import { isValidId, mapTaskId, reduceTaskId } from '../proto/formats/index.js';
import { JOBS_DIR, LOGS_DIR } from './data-layout.js';

/**
 * How old a directory of a job the master does not know must be before it goes, ms, when
 * the master does not say (Registered.retention_ms 0): the master's default, 7 days.
 */
export const DEFAULT_ORPHAN_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** What the master said at registration about the jobs whose files this worker may hold. */
export interface MasterJobs {
  /** Outputs it still counts as committed here, per job. */
  readonly committed: readonly CommittedAttempts__Output[];
  /** Every job it holds. */
  readonly heldJobs: readonly string[];
  /** Jobs it purged lately. */
  readonly purgedJobs: readonly string[];
  /** Its retention, ms (0: {@link DEFAULT_ORPHAN_RETENTION_MS}). */
  readonly retentionMs: number;
}

/** A job directory that no master knows, kept until it is the retention old. */
export interface Orphan {
  readonly jobId: string;
  /** The directory's mtime, ms since epoch. */
  readonly mtimeMs: number;
}

/** What a cleanup at registration deleted, and the orphans it kept for later. */
export interface StaleFilesRemoved {
  readonly attemptDirs: number;
  readonly jobDirs: number;
  /** Directories of jobs no master knows that were old enough to go. */
  readonly orphanDirs: number;
  /** The younger ones, which {@link removeAgedOrphans} deletes once they are old enough. */
  readonly orphans: readonly Orphan[];
}

/** The retention the master gave, or the default when it gave none. */
export function orphanRetentionMs(jobs: Pick<MasterJobs, 'retentionMs'>): number {
  return jobs.retentionMs > 0 ? jobs.retentionMs : DEFAULT_ORPHAN_RETENTION_MS;
}

/** The attempt directory names (`map-00003-a1`) each job still counts as committed here. */
function committedNames(committed: readonly CommittedAttempts__Output[]): Map<string, Set<string>> {
  const byJob = new Map<string, Set<string>>();
  for (const c of committed) {
    const names = new Set<string>();
    c.mapIndex.forEach((i, k) => names.add(`${mapTaskId(i)}-a${c.mapAttempt[k] ?? 0}`));
    c.reduceIndex.forEach((i, k) => names.add(`${reduceTaskId(i)}-a${c.reduceAttempt[k] ?? 0}`));
    byJob.set(c.jobId, names);
  }
  return byJob;
}

/** A directory's mtime, or undefined when it is gone or not a directory. */
function dirMtime(dir: string): number | undefined {
  try {
    const st = fs.statSync(dir);
    return st.isDirectory() ? st.mtimeMs : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Deletes every attempt directory under `jobs/` that the master does not count as a
 * committed output (attempts that lost a race, failed, or were written off while this
 * worker was away), and the directories of jobs it holds with nothing committed here or
 * purged (maybe while this worker was away), except the directories in `busy`
 * (`jobs/<job>/<attempt>`: attempts still running, which delete their own when they end).
 * A directory of a job the master does not know at all (it may have been restarted
 * without its state) goes only once it is the retention old (by its mtime): the younger
 * ones are returned, for {@link removeAgedOrphans}. The list is made at once, so an
 * assignment that arrives after the registration is never touched; the deletions then
 * run in the background.
 */
export async function removeStaleFiles(
  dataDir: string,
  master: MasterJobs,
  busy: ReadonlySet<string>,
  now = Date.now(),
): Promise<StaleFilesRemoved> {
  const keep = committedNames(master.committed);
  const known = new Set([...master.heldJobs, ...master.purgedJobs]);
  const purged = new Set(master.purgedJobs);
  const held = new Set(master.heldJobs);
  const retentionMs = orphanRetentionMs(master);
  const doomed: string[] = [];
  const orphans: Orphan[] = [];
  let jobDirs = 0;
  let attemptDirs = 0;
  let orphanDirs = 0;
  const jobsDir = path.join(dataDir, JOBS_DIR);
  let jobs: string[];
  try {
    jobs = fs.readdirSync(jobsDir);
  } catch {
    return { attemptDirs: 0, jobDirs: 0, orphanDirs: 0, orphans: [] };
  }
  for (const job of jobs) {
    if (!isValidId(job)) continue;
    const names = keep.get(job);
    let attempts: string[];
    try {
      attempts = fs.readdirSync(path.join(jobsDir, job));
    } catch {
      continue; // not a directory, or gone already
    }
    const running = attempts.filter((a) => busy.has(`${JOBS_DIR}/${job}/${a}`));
    if (!names && !known.has(job)) {
      if (running.length > 0) continue;
      const mtimeMs = dirMtime(path.join(jobsDir, job));
      if (mtimeMs === undefined) continue;
      if (now - mtimeMs >= retentionMs) {
        doomed.push(path.join(jobsDir, job));
        orphanDirs++;
      } else orphans.push({ jobId: job, mtimeMs });
      continue;
    }
    // A job the master still holds keeps its task logs (`mr logs` reads them) until it is purged.
    const keepLogs = held.has(job) && !purged.has(job);
    if (!names && running.length === 0 && !(keepLogs && attempts.includes(LOGS_DIR))) {
      doomed.push(path.join(jobsDir, job));
      jobDirs++;
      continue;
    }
    for (const a of attempts) {
      if (names?.has(a) || running.includes(a) || (keepLogs && a === LOGS_DIR)) continue;
      doomed.push(path.join(jobsDir, job, a));
      attemptDirs++;
    }
  }
  await Promise.all(doomed.map((d) => fs.promises.rm(d, { recursive: true, force: true })));
  return { attemptDirs, jobDirs, orphanDirs, orphans };
}

/**
 * Deletes the orphans (see {@link removeStaleFiles}) that are the retention old by now,
 * their mtime read again (a directory written to since is younger); returns those still
 * too young, and the number deleted.
 */
export async function removeAgedOrphans(
  dataDir: string,
  orphans: readonly Orphan[],
  retentionMs: number,
  now = Date.now(),
): Promise<{ readonly removed: number; readonly kept: Orphan[] }> {
  const kept: Orphan[] = [];
  const doomed: string[] = [];
  for (const o of orphans) {
    const dir = path.join(dataDir, JOBS_DIR, o.jobId);
    const mtimeMs = dirMtime(dir);
    if (mtimeMs === undefined) continue;
    if (now - mtimeMs >= retentionMs) doomed.push(dir);
    else kept.push({ jobId: o.jobId, mtimeMs });
  }
  await Promise.all(doomed.map((d) => fs.promises.rm(d, { recursive: true, force: true })));
  return { removed: doomed.length, kept };
}
