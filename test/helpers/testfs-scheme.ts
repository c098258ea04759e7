/**
 * A second storage backend for tests, loaded into every process of a run with
 * `NODE_OPTIONS=--require <this file>` (the client, the master, the workers' pool
 * processes inherit it): `testfs://REL` is TESTFS_ROOT/REL, served by the local backend
 * under another name, so a job reads `--input testfs://...` only if every read of its
 * input goes through the storage seam. With TESTFS_LOG set, it also records the local
 * backend's opens, stages and commits there (one line each: `op pid url`), which shows
 * where results were written and read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileStorage, registerStorage } from '../../storage/index.js';
import type { Storage, StorageEntry } from '../../storage/index.js';

/** The scheme this module serves. */
export const TESTFS_SCHEME = 'testfs';

const root = process.env['TESTFS_ROOT'];
const log = process.env['TESTFS_LOG'];

function record(op: string, url: string): void {
  if (log) fs.appendFileSync(log, `${op} ${process.pid} ${url}\n`);
}

function toLocal(url: string): string {
  if (root === undefined) throw new Error('TESTFS_ROOT is not set');
  const rel = url.slice(`${TESTFS_SCHEME}://`.length);
  return path.join(root, rel);
}

function toUrl(local: string): string {
  return `${TESTFS_SCHEME}://${path.relative(root as string, local)}`;
}

const mapEntry = (e: StorageEntry): StorageEntry => ({ ...e, url: toUrl(e.url) });

/** testfs: the local backend under another scheme. */
export const testfsStorage: Storage = {
  schemes: [TESTFS_SCHEME],
  stat: async (url) => ({ ...(await fileStorage.stat(toLocal(url))), url }),
  list: async (url, options) => (await fileStorage.list(toLocal(url), options)).map(mapEntry),
  openReader: (url) => {
    record('open', url);
    return fileStorage.openReader(toLocal(url));
  },
  openRange: (url, start, end, chunkBytes) => fileStorage.openRange(toLocal(url), start, end, chunkBytes),
  read: (url) => fileStorage.read(toLocal(url)),
  stage: (url) => fileStorage.stage(toLocal(url)),
  writeAtomic: (url, data) => fileStorage.writeAtomic(toLocal(url), data),
  remove: (url) => fileStorage.remove(toLocal(url)),
  rename: (from, to) => fileStorage.rename(toLocal(from), toLocal(to)),
  removeEmptyDirectories: (url) => (fileStorage.removeEmptyDirectories as (u: string) => Promise<void>)(toLocal(url)),
};

/** The local backend, recording what goes through it. */
const recordingFile: Storage = {
  ...fileStorage,
  openReader: (url) => {
    record('open', url);
    return fileStorage.openReader(url);
  },
  stage: async (url) => {
    record('stage', url);
    const staged = await fileStorage.stage(url);
    return {
      localPath: staged.localPath,
      commit: async () => {
        await staged.commit();
        record('commit', url);
      },
      abort: () => staged.abort(),
    };
  },
};

registerStorage(testfsStorage);
registerStorage(recordingFile);
