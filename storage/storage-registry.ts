import { UserError } from '../common/index.js';
import { fileStorage, httpStorage, s3Storage } from './schemes/index.js';
import type { Storage } from './storage.js';

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * The backends by scheme; `file` is always there, and a path without a scheme is one of its;
 * `http(s)` reads inputs. The s3 backend costs nothing until used: it loads the AWS SDK on
 * its first operation.
 */
const backends = new Map<string, Storage>(
  [fileStorage, httpStorage, s3Storage].flatMap((storage) =>
    storage.schemes.map((s): [string, Storage] => [s, storage]),
  ),
);

/** The scheme a URL names, lower case without the colon, or undefined for a plain path. */
function urlScheme(url: string): string | undefined {
  const m = SCHEME.exec(url);
  if (!m) return undefined;
  const scheme = (m[1] as string).toLowerCase();
  // `name:` alone could be a relative file name with a colon in it: only `x://` and `file:` are URLs.
  return url.startsWith(`${m[0]}//`) || scheme === 'file' ? scheme : undefined;
}

/** The scheme of a URL, lower case without the colon; `file` for a plain path. */
export function schemeOf(url: string): string {
  return urlScheme(url) ?? 'file';
}

/** True when `url` is a URL (`s3://...`, `file:...`), not a plain path. */
export function isUrl(url: string): boolean {
  return urlScheme(url) !== undefined;
}

/**
 * Adds a backend for its schemes, replacing one there was. Backends register once, when
 * their module loads (in every process that reads or writes through them: the client,
 * the master and the workers' pool processes).
 */
export function registerStorage(storage: Storage): void {
  for (const scheme of storage.schemes) backends.set(scheme.toLowerCase(), storage);
}

/**
 * The backend of a URL or plain path.
 * @throws UserError naming the scheme when no backend serves it.
 */
export function storageFor(url: string): Storage {
  const scheme = schemeOf(url);
  const storage = backends.get(scheme);
  if (storage === undefined) {
    throw new UserError(
      `${url.slice(0, 200)}: no storage for scheme ${scheme}: (known: ${[...backends.keys()]
        .sort()
        .map((s) => `${s}:`)
        .join(', ')})`,
    );
  }
  return storage;
}
