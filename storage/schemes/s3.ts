import { Readable } from 'node:stream';
import type { _Object, S3Client } from '@aws-sdk/client-s3';
import type { ListOptions, RangeReader, StagedObject, Storage, StorageEntry, StorageStat } from '../storage.js';
import { checkRange } from './file.js';
import { s3Client, s3Sdk } from './s3-client.js';
import { copyObject } from './s3-copy.js';
import type { S3CopyLimits } from './s3-copy.js';
import { S3StorageError, isNoSuchKey, s3Error } from './s3-errors.js';
import { openS3Range, openS3Reader } from './s3-reader.js';
import { stageS3Object, uploadObject } from './s3-upload.js';
import { parseS3Url, s3Url } from './s3-url.js';
import type { S3Location } from './s3-url.js';

/** Options of {@link createS3Storage}. */
export interface S3StorageOptions {
  /** Limits of the server-side copy of {@link Storage.rename}. Default S3's (5 GiB per CopyObject). */
  readonly copy?: S3CopyLimits;
  /** Keys per ListObjectsV2 page (1 to 1000). Default the store's, 1000 on S3. */
  readonly listPageSize?: number;
}

/** Chunk size of {@link Storage.openRange} streams when the caller names none. */
const DEFAULT_CHUNK_BYTES = 64 * 1024;

/** An object's stat from a HeadObject, or undefined when there is no object at that key. */
async function headObject(client: S3Client, at: S3Location, url: string): Promise<StorageStat | undefined> {
  const { HeadObjectCommand } = await s3Sdk();
  try {
    const h = await client.send(new HeadObjectCommand({ Bucket: at.bucket, Key: at.key }));
    return {
      url,
      size: h.ContentLength ?? 0,
      kind: 'object',
      ...(h.LastModified ? { mtimeMs: h.LastModified.getTime() } : {}),
      ...(h.ETag ? { etag: h.ETag } : {}),
    };
  } catch (err) {
    if (isNoSuchKey(err)) return undefined;
    throw s3Error(err, url, at.bucket, 'HeadObject');
  }
}

/** One page of the objects under `prefix` (a missing bucket is ENOENT, as S3 says NoSuchBucket to a listing). */
async function listPage(
  client: S3Client,
  bucket: string,
  prefix: string,
  url: string,
  token?: string,
  maxKeys?: number,
): Promise<{ objects: _Object[]; next: string | undefined }> {
  const { ListObjectsV2Command } = await s3Sdk();
  try {
    const out = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
        ...(maxKeys === undefined ? {} : { MaxKeys: maxKeys }),
      }),
    );
    return { objects: out.Contents ?? [], next: out.IsTruncated ? out.NextContinuationToken : undefined };
  } catch (err) {
    throw s3Error(err, url, bucket, 'ListObjectsV2');
  }
}

/** True when some object's key starts with `prefix`. */
async function anyUnder(client: S3Client, bucket: string, prefix: string, url: string): Promise<boolean> {
  return (await listPage(client, bucket, prefix, url, undefined, 1)).objects.length > 0;
}

/** The prefix a directory URL lists: its key with a `/` after it, '' for the whole bucket. */
const dirPrefix = (key: string): string => (key === '' || key.endsWith('/') ? key : `${key}/`);

/**
 * Every object under `prefix`, in the store's order (keys sorted bytewise), leaving out
 * folder markers (keys ending in `/`) and keys with a path component below the prefix
 * that `skipName` refuses; stops past `limit`.
 */
async function listUnder(
  client: S3Client,
  bucket: string,
  prefix: string,
  url: string,
  options: ListOptions,
  pageSize: number | undefined,
): Promise<StorageEntry[]> {
  const out: StorageEntry[] = [];
  let token: string | undefined;
  do {
    const page = await listPage(client, bucket, prefix, url, token, pageSize);
    for (const o of page.objects) {
      const key = o.Key ?? '';
      if (key.endsWith('/')) continue;
      if (options.skipName && key.slice(prefix.length).split('/').some(options.skipName)) continue;
      out.push({
        url: s3Url(bucket, key),
        size: o.Size ?? 0,
        ...(o.LastModified ? { mtimeMs: o.LastModified.getTime() } : {}),
        ...(o.ETag ? { etag: o.ETag } : {}),
      });
      if (options.limit !== undefined && out.length > options.limit) return out;
    }
    token = page.next;
  } while (token !== undefined);
  return out;
}

/**
 * An s3:// backend (`s3://BUCKET/KEY`, `s3://BUCKET/PREFIX/`) over the AWS SDK, which is
 * loaded on its first use. A key names an object; a URL ending in `/` (or a key with no
 * object but objects under `KEY/`) names a directory, the objects under it. Reads are
 * ranged GETs, writes go up as one PUT or a multipart upload (both atomic in S3), a
 * rename is a server-side copy and a delete.
 */
export function createS3Storage(options: S3StorageOptions = {}): Storage {
  return {
    schemes: ['s3'],

    async stat(url: string): Promise<StorageStat> {
      const at = parseS3Url(url);
      const client = await s3Client();
      if (at.key !== '' && !at.key.endsWith('/')) {
        const object = await headObject(client, at, url);
        if (object) return object;
        if (!(await anyUnder(client, at.bucket, `${at.key}/`, url)))
          throw new S3StorageError(url, `no such key ${at.key} in bucket ${at.bucket}`, 'ENOENT');
      } else {
        // A prefix is a directory in an existing bucket even when nothing is under it yet:
        // the listing says it is empty (the input resolver refuses that unless allowed).
        await anyUnder(client, at.bucket, at.key, url);
      }
      return { url, size: 0, kind: 'directory' };
    },

    async list(url: string, listOptions: ListOptions = {}): Promise<StorageEntry[]> {
      const at = parseS3Url(url);
      const client = await s3Client();
      if (at.key !== '' && !at.key.endsWith('/')) {
        const object = await headObject(client, at, url);
        if (object) return [{ url, size: object.size, mtimeMs: object.mtimeMs, etag: object.etag }];
      }
      return listUnder(client, at.bucket, dirPrefix(at.key), url, listOptions, options.listPageSize);
    },

    async openReader(url: string): Promise<RangeReader> {
      return openS3Reader(parseS3Url(url), url);
    },

    openRange(url: string, start: number, end: number, chunkBytes = DEFAULT_CHUNK_BYTES): Readable {
      checkRange(start, end);
      return openS3Range(parseS3Url(url), url, start, end, chunkBytes);
    },

    async read(url: string): Promise<Buffer> {
      const at = parseS3Url(url);
      const [client, { GetObjectCommand }] = await Promise.all([s3Client(), s3Sdk()]);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
        const bytes = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (err) {
        throw s3Error(err, url, at.bucket, 'GetObject');
      }
    },

    stage(url: string): Promise<StagedObject> {
      return stageS3Object(parseS3Url(url), url);
    },

    async writeAtomic(url: string, data: Buffer | AsyncIterable<Buffer>): Promise<void> {
      const at = parseS3Url(url);
      if (Buffer.isBuffer(data)) {
        const [client, { PutObjectCommand }] = await Promise.all([s3Client(), s3Sdk()]);
        try {
          await client.send(new PutObjectCommand({ Bucket: at.bucket, Key: at.key, Body: data }));
        } catch (err) {
          throw s3Error(err, url, at.bucket, 'PutObject');
        }
        return;
      }
      await uploadObject(at, url, Readable.from(data, { objectMode: false }));
    },

    async remove(url: string): Promise<void> {
      const at = parseS3Url(url);
      const [client, { DeleteObjectCommand }] = await Promise.all([s3Client(), s3Sdk()]);
      try {
        await client.send(new DeleteObjectCommand({ Bucket: at.bucket, Key: at.key }));
      } catch (err) {
        const e = s3Error(err, url, at.bucket, 'DeleteObject');
        // An object that is not there, in a bucket that is not there either, is removed.
        if (e.code !== 'ENOENT') throw e;
      }
    },

    async rename(from: string, to: string): Promise<void> {
      const src = parseS3Url(from);
      const dst = parseS3Url(to);
      const client = await s3Client();
      const object = await headObject(client, src, from);
      if (object === undefined) throw new S3StorageError(from, 'no such key to rename', 'ENOENT');
      await copyObject(client, src, dst, object.size, options.copy);
      await this.remove(from);
    },
  };
}

/** The s3:// backend with S3's limits, registered beside `file`. */
export const s3Storage: Storage = createS3Storage();
