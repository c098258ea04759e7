import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../common/index.js';

/** The lock file in a master's data dir: the pid of the master using it. */
export const LOCK_FILE = 'master.lock';

/** A held lock on a data dir; release it when the master stops. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/** Lock files this process holds: a second master in the same process is refused too. */
const heldHere = new Set<string>();

/** True when a process with this pid exists (a signal 0 reaches it, or it is another user's). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a lock file, or undefined when it holds none (a torn write). */
function lockHolder(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data dir for this process: two masters on one journal would each act on
 * jobs the other also runs. The lock is a file holding the pid, made with an atomic link
 * of a fully written temporary file, so a reader never sees it half written; a lock whose
 * pid is dead (a master killed with -9 leaves it) is stale and taken over.
 * @throws UserError naming the dir and the pid using it.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  if (heldHere.has(file))
    throw new UserError(`data dir ${dataDir} is in use by another master of this process; use another --data-dir`);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${process.pid}\n`);
  try {
    // Two tries: the second after removing a stale lock (another starter may win that race).
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.linkSync(tmp, file);
        heldHere.add(file);
        return { file, release: () => releaseLock(file) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      // Our own pid in a lock we do not hold is stale: a dead master had it (pid 1 in a container).
      const holder = lockHolder(file);
      if (holder !== undefined && holder !== process.pid && processExists(holder))
        throw new UserError(
          `data dir ${dataDir} is in use by another master (pid ${holder}, see ${file}); stop it or use another --data-dir`,
        );
      fs.rmSync(file, { force: true });
    }
    throw new UserError(`data dir ${dataDir}: another master took ${file} while this one started; try again`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Removes the lock if it is still this process's. */
function releaseLock(file: string): void {
  if (!heldHere.delete(file)) return;
  if (lockHolder(file) === process.pid) fs.rmSync(file, { force: true });
}
