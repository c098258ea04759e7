import type { Readable } from 'node:stream';

/**
 * One object (a file, for the local filesystem) as a backend lists it: its URL in the
 * style it was asked for (a plain path stays a plain path), its size, and what the
 * backend has cheaply to tell one version from another.
 */
export interface StorageEntry {
  readonly url: string;
  /** Bytes; Infinity when the backend cannot tell (an HTTP answer without Content-Length). */
  readonly size: number;
  /** Last modification, ms since the epoch, when the backend has it. */
  readonly mtimeMs?: number;
  /** An opaque version tag (an S3 ETag), when the backend has one. */
  readonly etag?: string;
}

/** What a URL names: one object, a directory (a prefix holding objects), or something else (a device, a socket). */
export type StorageKind = 'object' | 'directory' | 'other';

/** {@link Storage.stat}'s answer. */
export interface StorageStat extends StorageEntry {
  readonly kind: StorageKind;
  /**
   * False when the object can only be read as one stream from its first byte (an HTTP
   * server without `Accept-Ranges: bytes`): the planner then gives it one split, read
   * whole. Default true.
   */
  readonly rangeReads?: boolean;
}

/** Options of {@link Storage.list}. */
export interface ListOptions {
  /**
   * Names (one path component) whose object or directory is left out, directory and all,
   * tested at every level below the listed URL. Default: none left out.
   */
  readonly skipName?: (name: string) => boolean;
  /** Stop once more than this many objects were found (the caller refuses that many). Default: no limit. */
  readonly limit?: number;
}

/**
 * Positional reads of one object into the caller's buffers: the map task's hot path reads
 * a split block by block into one reused buffer through this, so a read costs what the
 * backend's read costs and nothing per record.
 */
export interface RangeReader {
  /** Reads up to `length` bytes at `position` into `buf[offset...]`; resolves with the bytes read, 0 at the end. */
  read(buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * An object being written by a synchronous producer (the reducer's part file writer): it
 * writes plain files at `localPath`, then {@link commit} makes the object appear at its
 * URL whole, or {@link abort} leaves nothing. Locally that is a temporary name beside the
 * target and a rename; an object store uploads the local file with one PUT.
 */
export interface StagedObject {
  /** The local file to write the object's bytes into. */
  readonly localPath: string;
  /** Makes the object visible at its URL, all of it at once. */
  commit(): Promise<void>;
  /** Removes what was written; the URL is left as it was. Safe after a failed commit. */
  abort(): Promise<void>;
}

/**
 * Where bytes live, one implementation per URL scheme (storage/schemes/): inputs are
 * listed, sized and read through it, results written and read back. Errors carry Node's
 * `code` (ENOENT, ENOTDIR, EACCES) where one applies, so callers tell "not there" and
 * "not allowed" apart whatever the backend.
 */
export interface Storage {
  /** The URL schemes it serves, without the colon (`file`). */
  readonly schemes: readonly string[];
  stat(url: string): Promise<StorageStat>;
  /**
   * The objects under a directory URL (all levels, directories themselves not listed),
   * or the object itself when the URL names one. Order: the backend's, stable from one
   * call to the next (local: depth first, names sorted bytewise at each level).
   */
  list(url: string, options?: ListOptions): Promise<StorageEntry[]>;
  /** Positional reads of one object (see {@link RangeReader}). */
  openReader(url: string): Promise<RangeReader>;
  /**
   * Bytes [start, end) of an object as a stream; a range reaching past the end gives the
   * bytes there are, an empty range none. `chunkBytes` bounds one chunk (default 64 KiB).
   */
  openRange(url: string, start: number, end: number, chunkBytes?: number): Readable;
  /** The whole object. */
  read(url: string): Promise<Buffer>;
  /** Starts writing an object for a synchronous producer (see {@link StagedObject}). */
  stage(url: string): Promise<StagedObject>;
  /** Writes an object whole: readers see the old one (or none) until all of `data` is in. */
  writeAtomic(url: string, data: Buffer | AsyncIterable<Buffer>): Promise<void>;
  /** Removes an object; one that is not there is not an error. */
  remove(url: string): Promise<void>;
  /**
   * Moves an object to another URL of the same backend, replacing what is there: readers
   * of `to` see the old object (or none) or all of the new one. Locally a rename; an
   * object store copies server side, then deletes `from`. The output committer promotes
   * a reduce attempt's result with it.
   */
  rename(from: string, to: string): Promise<void>;
  /**
   * Removes the empty directories at and under a directory URL, bottom up, leaving any that
   * still hold something (another job's files). Only backends that have directories need
   * it: an object store's prefix goes with its last object. The output committer calls it
   * after removing a job's temporary objects, so no empty `_temporary/` tree stays behind.
   */
  removeEmptyDirectories?(url: string): Promise<void>;
}
