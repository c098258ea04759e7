import { GrooveError } from '../common/index.js';

/**
 * A write to this worker's own disk failed (ENOSPC, EIO, EDQUOT, a read-only file
 * system...), while fetching a map output into a local file for instance. It is this
 * worker's fault, never the map's: the attempt fails as an ordinary failure (counted
 * toward the worker's blacklist) and no map is re-run for it.
 */
export class LocalWriteError extends GrooveError {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`cannot write ${file} on this worker's disk: ${(cause as Error).message ?? String(cause)}`, { cause });
  }
}
