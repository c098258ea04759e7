import * as path from 'node:path';
import { errorMessage, UserError } from '../common/index.js';
import { HttpInputError, isUrl, schemeOf, storageFor } from '../storage/index.js';
import { isResultUri } from '../proto/formats/index.js';
import type { Storage, StorageStat } from '../storage/index.js';
import type { InputFile } from './input-splitter.js';

/** The most input files one job may name (after expanding directories). */
export const MAX_INPUT_FILES = 100_000;

/** Options of {@link resolveInputs}. */
export interface ResolveOptions {
  /** Accept a directory that holds no file, and no input at all. Default false. */
  readonly allowEmpty?: boolean;
  /** Resolves an `mr://` input (an earlier job's results: master/chain-inputs.ts). Default: refused. */
  readonly results?: (input: string) => InputFile[];
}

/** What the user is told when the master cannot see an input the client named. */
const SAME_PATH_HINT =
  'inputs must be readable by the master and the workers at the same path (a shared filesystem, or the same host)';

/** Hidden and underscore names are not inputs (Hadoop's FileInputFormat: _SUCCESS, .crc, _temporary/). */
const skipName = (name: string): boolean => name.startsWith('.') || name.startsWith('_');

/**
 * Turns the inputs of a submission into files with sizes, through the storage seam (a
 * path or `file:` URL is the local filesystem; another scheme is whatever backend serves
 * it, and one none serves is refused by name). A directory stands for every file under
 * it (sorted, hidden files skipped, as Hadoop's FileInputFormat does). Paths must be
 * absolute: the master and the workers read them at the same path. A directory that
 * holds no file is refused by name unless `allowEmpty`: a typo'd or not yet filled
 * directory would otherwise make a job that "succeeds" over nothing.
 */
export async function resolveInputs(inputs: readonly string[], options: ResolveOptions = {}): Promise<InputFile[]> {
  if (inputs.length === 0 && !options.allowEmpty) throw new UserError('no input given');
  const files: InputFile[] = [];
  for (const input of inputs) {
    if (isResultUri(input)) {
      if (!options.results) throw new UserError(`input ${input}: results of earlier jobs cannot be read here`);
      files.push(...options.results(input));
      continue;
    }
    if (!isUrl(input) && !path.isAbsolute(input)) throw new UserError(`input ${input}: must be an absolute path`);
    const storage = storageFor(input);
    const stat = await statInput(storage, input);
    const before = files.length;
    if (stat.kind === 'directory') await addDirectory(storage, input, files);
    else if (stat.kind === 'object') files.push(inputFile(input, stat));
    else throw new UserError(`input ${input}: not a regular file or directory`);
    if (files.length === before && !options.allowEmpty) {
      const what = isRemote(input) ? 'nothing under it is an input object' : 'the directory holds no input file';
      throw new UserError(
        `input ${input}: ${what} (hidden and _ files are skipped); pass --allow-empty if an empty input is expected`,
      );
    }
    if (files.length > MAX_INPUT_FILES) throw new UserError(`too many input files (more than ${MAX_INPUT_FILES})`);
  }
  return files;
}

/**
 * Stats an input on the master's host. The client already checked that the path exists
 * where it runs, so a failure here most often means the master runs elsewhere and cannot
 * see it: say that, rather than "not found" about a file the user is looking at.
 */
async function statInput(storage: Storage, input: string): Promise<StorageStat> {
  try {
    return await storage.stat(input);
  } catch (err) {
    // A URL's server answered (404, 403, a TLS failure): its message names the URL and the
    // status, and "the same path" is no hint for it.
    if (err instanceof HttpInputError) throw new UserError(err.message, { cause: err });
    // A store's own words (no such bucket, access denied) say it better than a path hint.
    if (isRemote(input)) throw new UserError(`input ${input}: ${backendReason(input, err)}`, { cause: err });
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'no such file on its host'
        : code === 'EACCES'
          ? 'permission denied'
          : (err as Error).message;
    throw new UserError(`input ${input}: the master cannot read it (${why}); ${SAME_PATH_HINT}`, { cause: err });
  }
}

/**
 * An object as the planner sees it: one read only as a stream from its first byte (no
 * range reads), or of a size the backend cannot tell (Infinity: an HTTP answer without
 * Content-Length), is not splittable and gets one split read to its end.
 */
function inputFile(url: string, stat: StorageStat): InputFile {
  const whole = stat.rangeReads === false || !Number.isFinite(stat.size);
  return whole ? { path: url, size: stat.size, splittable: false } : { path: url, size: stat.size };
}

async function addDirectory(storage: Storage, dir: string, files: InputFile[]): Promise<void> {
  try {
    const entries = await storage.list(dir, { skipName, limit: MAX_INPUT_FILES - files.length });
    for (const e of entries) files.push({ path: e.url, size: e.size });
  } catch (err) {
    if (isRemote(dir)) throw new UserError(`input ${dir}: ${backendReason(dir, err)}`, { cause: err });
    throw new UserError(`input ${dir}: the master cannot list it (${(err as Error).message}); ${SAME_PATH_HINT}`, {
      cause: err,
    });
  }
}

/** True for an input of a backend other than the local filesystem (s3://, http://). */
function isRemote(input: string): boolean {
  return isUrl(input) && schemeOf(input) !== 'file';
}

/** A backend's error message without the URL it starts with (the caller names the input). */
function backendReason(url: string, err: unknown): string {
  const message = errorMessage(err);
  return message.startsWith(`${url}: `) ? message.slice(url.length + 2) : message;
}
