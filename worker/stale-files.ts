import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommittedAttempts__Output } from '../proto/wire/generated/groove/CommittedAttempts';
import { isValidId, mapTaskId, reduceTaskId } from '../proto/formats/index.js';
import { JOBS_DIR } from './data-layout.js';

/** What a cleanup at registration deleted. */
export interface StaleFilesRemoved {
  readonly attemptDirs: number;
  readonly jobDirs: number;
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

/**
 * Deletes every attempt directory under `jobs/` that the master does not count as a
 * committed output (attempts that lost a race, failed, or were written off while this
 * worker was away), and the directories of jobs with nothing committed here, except the
 * directories in `busy` (`jobs/<job>/<attempt>`: attempts still running, which delete
 * their own when they end). The list is made at once, so an assignment that arrives
 * after the registration is never touched; the deletions then run in the background.
 */
export async function removeStaleFiles(
  dataDir: string,
  committed: readonly CommittedAttempts__Output[],
  busy: ReadonlySet<string>,
): Promise<StaleFilesRemoved> {
  const keep = committedNames(committed);
  const doomed: string[] = [];
  let jobDirs = 0;
  let attemptDirs = 0;
  const jobsDir = path.join(dataDir, JOBS_DIR);
  let jobs: string[];
  try {
    jobs = fs.readdirSync(jobsDir);
  } catch {
    return { attemptDirs: 0, jobDirs: 0 };
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
    if (!names && running.length === 0) {
      doomed.push(path.join(jobsDir, job));
      jobDirs++;
      continue;
    }
    for (const a of attempts) {
      if (names?.has(a) || running.includes(a)) continue;
      doomed.push(path.join(jobsDir, job, a));
      attemptDirs++;
    }
  }
  await Promise.all(doomed.map((d) => fs.promises.rm(d, { recursive: true, force: true })));
  return { attemptDirs, jobDirs };
}
