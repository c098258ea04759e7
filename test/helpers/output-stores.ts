import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * An output store as the output-store tests see it: where a case writes, the environment
 * every process of the run needs to reach it, and reads that do not go through Groove
 * (plain fs for local stores; for s3, an S3 client of the test's own), so a bug in the
 * engine's storage code cannot hide on both sides. A new backend's variant of the tests is
 * one call of outputStoreCases with one of these.
 */
export interface OutputStoreUnderTest {
  /** A fresh prefix URL for one case, ending in `/`. */
  prefix(name: string): string;
  /** Environment for the client, the master and the workers. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * Every name under `prefix`, relative to it, `/`-separated, sorted: the objects, and for
   * a local store its directories too (with a final `/`), so an empty `_temporary/` shows.
   */
  list(prefix: string): Promise<string[]>;
  /** One object's bytes. */
  read(url: string): Promise<Buffer>;
  /**
   * True when the test process itself reaches the store through Groove's backends (its
   * scheme registered here, its credentials in this environment): the SDK's reads are then
   * tested in process too.
   */
  readonly inProcess: boolean;
}

/** Names under a local directory as {@link OutputStoreUnderTest.list} gives them; none when it is not there. */
function listLocal(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const name = `${rel}${e.name}`;
      if (e.isDirectory()) {
        out.push(`${name}/`);
        walk(path.join(d, e.name), `${name}/`);
      } else out.push(name);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** `file:///ROOT/NAME/` prefixes, read back with plain fs. */
export function fileStore(root: string): OutputStoreUnderTest {
  return {
    prefix: (name) => `${pathToFileURL(path.join(root, name)).href}/`,
    env: {},
    inProcess: true,
    list: async (prefix) => listLocal(fileURLToPath(prefix)),
    read: async (url) => fs.readFileSync(fileURLToPath(url)),
  };
}

/** The compiled test scheme (test/helpers/testfs-scheme.ts), preloaded into every process of a run. */
export const TESTFS_MODULE = path.join(__dirname, 'testfs-scheme.js');

/** `testfs://NAME/` prefixes (ROOT/NAME on disk, served by a backend Groove does not know), read back with plain fs. */
export function testfsStore(root: string): OutputStoreUnderTest {
  const local = (url: string): string => path.join(root, url.slice('testfs://'.length));
  return {
    prefix: (name) => `testfs://${name}/`,
    env: { NODE_OPTIONS: `--require ${TESTFS_MODULE}`, TESTFS_ROOT: root },
    inProcess: false,
    list: async (prefix) => listLocal(local(prefix)),
    read: async (url) => fs.readFileSync(local(url)),
  };
}
