import * as path from 'node:path';
import { isValidId } from '../proto/formats/index.js';

/**
 * Where a worker keeps things, relative to its data dir:
 *   packs/<sha256>.pack                 cached job packs
 *   jobs/<job>/<task>-a<attempt>/       one directory per task attempt (map output or part file)
 *   jobs/<job>/logs/<task>-a<attempt>.jsonl   what job code logged in that attempt (docs/logs.md)
 * Relative paths that come back in requests are checked against this layout before use.
 */
export const PACKS_DIR = 'packs';
export const JOBS_DIR = 'jobs';
/**
 * The directory of a job's task logs, beside its attempt directories: not an attempt
 * directory itself (a name no task id has), so it outlives a failed attempt's files.
 */
export const LOGS_DIR = 'logs';

/** The log file of a task attempt, relative to the data dir. */
export function taskLogFile(jobId: string, taskId: string, attempt: number): string {
  return path.posix.join(JOBS_DIR, jobId, LOGS_DIR, `${taskId}-a${attempt}.jsonl`);
}

/** The directory of a job's files. */
export function jobDir(jobId: string): string {
  return path.posix.join(JOBS_DIR, jobId);
}

/** The directory a task attempt owns. */
export function attemptDir(jobId: string, taskId: string, attempt: number): string {
  return path.posix.join(JOBS_DIR, jobId, `${taskId}-a${attempt}`);
}

/** True when `rel` is an attempt directory of job `jobId` (no traversal, no other job). */
export function isAttemptDirOf(jobId: string, rel: string): boolean {
  const parts = rel.split('/');
  return (
    parts.length === 3 &&
    parts[0] === JOBS_DIR &&
    parts[1] === jobId &&
    isValidId(jobId) &&
    isValidId(parts[2]) &&
    parts[2] !== LOGS_DIR
  );
}

/** True when `rel` is a file directly inside an attempt directory of job `jobId`. */
export function isAttemptFileOf(jobId: string, rel: string): boolean {
  const parts = rel.split('/');
  return parts.length === 4 && isAttemptDirOf(jobId, parts.slice(0, 3).join('/')) && isValidId(parts[3]);
}
