import { fileURLToPath, pathToFileURL } from 'node:url';
import { UserError } from '../common/index.js';
import { PART_FILE_NAME, SUCCESS_FILE, TEMPORARY_DIR, partFileName } from '../proto/formats/index.js';
import type { ResultFormat } from '../proto/formats/index.js';
import { isUrl, schemeOf, storageFor } from '../storage/index.js';
import { DEFAULT_STORE_CALL_POLICY, storeCall } from './output-store-call.js';
import type { StoreCallPolicy } from './output-store-call.js';

/** Where a job's results go in a store, and how. */
export interface OutputTarget {
  /** The prefix, ending in `/` (see {@link normalizeOutputUrl}). */
  readonly url: string;
  readonly format: ResultFormat;
  /** Replace results already under the prefix instead of refusing the job. */
  readonly overwrite: boolean;
}

/** Longest output URL taken. */
const MAX_OUTPUT_URL_LENGTH = 2048;

/**
 * Checks an output URL and gives it as a prefix ending in `/`: a URL with a scheme some
 * backend serves (a plain path would name a directory on the master's disk, which is
 * rarely what a client means), for `file:` an absolute one, written as Node writes it.
 * @throws UserError one line naming the URL.
 */
export function normalizeOutputUrl(url: string): string {
  const shown = JSON.stringify(url.slice(0, 200));
  if (url.length > MAX_OUTPUT_URL_LENGTH || url.includes('\0'))
    throw new UserError(`--output ${shown}: at most ${MAX_OUTPUT_URL_LENGTH} characters, no NUL`);
  if (!isUrl(url))
    throw new UserError(
      `--output ${shown}: a job's output store must be a URL with a scheme (s3://BUCKET/PREFIX/, file:///abs/dir/)`,
    );
  storageFor(url);
  if (/[?#]/.test(url)) throw new UserError(`--output ${shown}: a query or fragment has no meaning here`);
  if (schemeOf(url) === 'file') {
    let local: string;
    try {
      local = fileURLToPath(url);
    } catch (err) {
      throw new UserError(`--output ${shown}: not an absolute file: URL (file:///abs/dir/)`, { cause: err });
    }
    const href = pathToFileURL(local).href;
    return href.endsWith('/') ? href : `${href}/`;
  }
  const rest = url.slice(url.indexOf('://') + 3);
  if (!/[^/]/.test(rest)) throw new UserError(`--output ${shown}: names no bucket or directory`);
  return url.endsWith('/') ? url : `${url}/`;
}

/** Where a job's attempts write until the commit: `PREFIX/_temporary/<JOB>/`. */
export function jobTemporaryUrl(prefix: string, jobId: string): string {
  return `${prefix}${TEMPORARY_DIR}/${jobId}/`;
}

/** Where one reduce attempt writes its lines: `PREFIX/_temporary/<JOB>/<TASK>-a<ATTEMPT>/part-NNNNN`. */
export function attemptOutputUrl(prefix: string, jobId: string, taskId: string, attempt: number, p: number): string {
  return `${jobTemporaryUrl(prefix, jobId)}${taskId}-a${attempt}/${partFileName(p)}`;
}

/** The committed part file of partition `p`: `PREFIX/part-NNNNN`. */
export function committedPartUrl(prefix: string, p: number): string {
  return `${prefix}${partFileName(p)}`;
}

/** The name of `url` directly under `prefix` (no `/` in it), or undefined. */
function nameUnder(prefix: string, url: string): string | undefined {
  if (!url.startsWith(prefix)) return undefined;
  const name = url.slice(prefix.length);
  return name && !name.includes('/') ? name : undefined;
}

/**
 * The results an earlier job left directly under a prefix: its part files and _SUCCESS,
 * names sorted. Jobs' temporary trees are not looked into; a prefix that is not there holds none.
 */
export async function resultsUnder(
  prefix: string,
  policy: StoreCallPolicy = DEFAULT_STORE_CALL_POLICY,
): Promise<string[]> {
  const storage = storageFor(prefix);
  const entries = await storeCall(
    'list',
    prefix,
    async () => {
      try {
        return await storage.list(prefix, { skipName: (n) => n === TEMPORARY_DIR });
      } catch (err) {
        if ((err as { code?: unknown }).code === 'ENOENT') return [];
        throw err;
      }
    },
    policy,
  );
  const names: string[] = [];
  for (const e of entries) {
    const name = nameUnder(prefix, e.url);
    if (name !== undefined && (PART_FILE_NAME.test(name) || name === SUCCESS_FILE)) names.push(name);
  }
  return names.sort();
}

/**
 * Refuses, at submit, an output prefix that already holds results unless the job may
 * overwrite them: a job writing fewer partitions would otherwise leave the earlier job's
 * extra part files beside its own.
 * @throws UserError one line naming the URL and what is there.
 */
export async function checkOutputTarget(target: OutputTarget, policy?: StoreCallPolicy): Promise<void> {
  const existing = await resultsUnder(target.url, policy);
  if (existing.length === 0 || target.overwrite) return;
  const some = `${existing.slice(0, 2).join(', ')}${existing.length > 2 ? ', ...' : ''}`;
  throw new UserError(
    `--output ${target.url} already holds results (${existing.length} objects: ${some}); pass --overwrite to replace them, or choose another prefix`,
  );
}
