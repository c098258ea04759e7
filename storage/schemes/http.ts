import { Readable } from 'node:stream';
import { UserError } from '../../common/index.js';
import type { RangeReader, StagedObject, Storage, StorageEntry, StorageStat } from '../storage.js';
import { checkRange } from './file.js';
import { openBody, openHttpReader } from './http-reader.js';
import { httpRequest, statusError, withRetries } from './http-request.js';

/** Chunk size of {@link Storage.openRange} streams when the caller names none. */
const DEFAULT_CHUNK_BYTES = 64 * 1024;

/**
 * Time limit of each HEAD, ms: shorter than a read's, since the master HEADs every URL
 * while a client waits for its submission (60 s): three tries of a server that does not
 * answer end in about 31 s, with an error naming the URL.
 */
const STAT_TIMEOUT_MS = 10_000;

/** What a write to an http(s) URL is told. */
function readOnly(url: string): UserError {
  return new UserError(`${url.slice(0, 200)}: http inputs are read-only (results go to a file or object store)`);
}

/** The size a response's Content-Length gives, or Infinity when it gives none (the size is then unknown). */
function contentLength(header: string | undefined): number {
  const n = header === undefined ? NaN : Number(header);
  return Number.isSafeInteger(n) && n >= 0 ? n : Number.POSITIVE_INFINITY;
}

/**
 * HEAD of `url`; a server that does not do HEAD (405, 501) is asked by a GET whose body
 * is not read. Follows redirects; a 4xx or 5xx is an HttpInputError naming the URL.
 */
async function head(url: string): Promise<StorageStat> {
  return withRetries(async () => {
    let { res } = await httpRequest(url, { method: 'HEAD', timeoutMs: STAT_TIMEOUT_MS });
    if (res.statusCode === 405 || res.statusCode === 501) {
      res.resume();
      ({ res } = await httpRequest(url, { method: 'GET', timeoutMs: STAT_TIMEOUT_MS }));
      res.destroy();
    } else res.resume();
    if (res.statusCode !== 200) throw statusError(url, res);
    const modified = Date.parse(res.headers['last-modified'] ?? '');
    const etag = res.headers.etag;
    return {
      url,
      size: contentLength(res.headers['content-length']),
      kind: 'object',
      rangeReads: res.headers['accept-ranges']?.trim().toLowerCase() === 'bytes',
      ...(Number.isFinite(modified) ? { mtimeMs: modified } : {}),
      ...(etag === undefined ? {} : { etag }),
    };
  });
}

/**
 * http(s):// inputs, read-only, through Node's own client. `stat` is a HEAD: the size from
 * Content-Length (Infinity when the server gives none), `rangeReads` only when it says
 * `Accept-Ranges: bytes`. Reads are streaming GETs from the position asked, with
 * `Range: bytes=N-` (checked: a 206 whose Content-Range starts there, or a 200 from byte
 * 0 only). Redirects are followed (at most 5), TLS is verified against the default roots
 * and the CA given with `--ca`, every request has a time limit, and transient failures
 * (5xx, 408, 429, a reset, refused or timed out connection) are tried three times before
 * they fail the map attempt, which the master then retries as an attempt. A URL names
 * one object: there are no directories to list, and nothing is written.
 */
export const httpStorage: Storage = {
  schemes: ['http', 'https'],

  stat: head,

  async list(url: string): Promise<StorageEntry[]> {
    const s = await head(url);
    return [{ url: s.url, size: s.size, ...(s.mtimeMs === undefined ? {} : { mtimeMs: s.mtimeMs }) }];
  },

  async openReader(url: string): Promise<RangeReader> {
    return openHttpReader(url);
  },

  openRange(url: string, start: number, end: number, chunkBytes = DEFAULT_CHUNK_BYTES): Readable {
    checkRange(start, end);
    if (end <= start) return Readable.from([]);
    return Readable.from(rangeChunks(url, start, end, chunkBytes), { objectMode: false });
  },

  async read(url: string): Promise<Buffer> {
    const res = await openBody(url, 0);
    if (res.statusCode === 416) return Buffer.alloc(0); // an empty object has no byte 0
    const chunks: Buffer[] = [];
    for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  },

  stage(url: string): Promise<StagedObject> {
    return Promise.reject(readOnly(url));
  },
  writeAtomic(url: string): Promise<void> {
    return Promise.reject(readOnly(url));
  },
  remove(url: string): Promise<void> {
    return Promise.reject(readOnly(url));
  },
  rename(from: string): Promise<void> {
    return Promise.reject(readOnly(from));
  },
};

/** Bytes [start, end) of `url` in chunks of at most `chunkBytes`, through one reader. */
async function* rangeChunks(url: string, start: number, end: number, chunkBytes: number): AsyncGenerator<Buffer> {
  const reader = openHttpReader(url);
  try {
    for (let at = start; at < end;) {
      const buf = Buffer.allocUnsafe(Math.min(chunkBytes, end - at));
      const n = await reader.read(buf, 0, buf.length, at);
      if (n === 0) return;
      at += n;
      yield buf.subarray(0, n);
    }
  } finally {
    await reader.close();
  }
}
