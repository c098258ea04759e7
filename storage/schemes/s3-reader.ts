import { Readable } from 'node:stream';
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { RangeReader } from '../storage.js';
import { s3Client, s3Sdk } from './s3-client.js';
import { S3StorageError, s3Error, statusOf } from './s3-errors.js';
import type { S3Location } from './s3-url.js';

/** `bytes A-B/TOTAL` of a Content-Range header. */
const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

/** The HTTP status of a range that starts at or past the end of the object. */
const RANGE_NOT_SATISFIABLE = 416;

/** One ranged GET's answer: the body, or undefined for a range past the end; the object's size and ETag. */
interface RangeAnswer {
  readonly body: Readable | undefined;
  /** File offset of the body's first byte (0 when the store ignored the range and sent it all). */
  readonly from: number;
  readonly size: number | undefined;
  readonly etag: string | undefined;
}

/**
 * GETs bytes [start, end] (inclusive) of an object; with `ifMatch`, only that version of
 * it (a 412 says the object changed between two reads of one split).
 */
export async function getRange(
  at: S3Location,
  url: string,
  start: number,
  end: number,
  ifMatch?: string,
): Promise<RangeAnswer> {
  const [client, { GetObjectCommand }] = await Promise.all([s3Client(), s3Sdk()]);
  let out: GetObjectCommandOutput;
  try {
    out = await client.send(
      new GetObjectCommand({
        Bucket: at.bucket,
        Key: at.key,
        Range: `bytes=${start}-${end}`,
        ...(ifMatch === undefined ? {} : { IfMatch: ifMatch }),
      }),
    );
  } catch (err) {
    if (statusOf(err) === RANGE_NOT_SATISFIABLE)
      return { body: undefined, from: start, size: undefined, etag: ifMatch };
    if (statusOf(err) === 412) {
      throw new S3StorageError(url, 'the object changed while it was being read', 'ESTALE', { cause: err });
    }
    throw s3Error(err, url, at.bucket, 'GetObject');
  }
  const m = CONTENT_RANGE.exec(out.ContentRange ?? '');
  const size = m ? (m[3] === '*' ? undefined : Number(m[3])) : out.ContentLength;
  return { body: out.Body as Readable | undefined, from: m ? Number(m[1]) : 0, size, etag: out.ETag };
}

/** Copies the bytes of `body` (whose first byte is file offset `from`) at [position, position + length) into `buf`. */
async function drain(
  body: Readable,
  from: number,
  buf: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  let at = from;
  let n = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const skip = Math.max(0, position - at);
      const take = Math.min(chunk.length - skip, length - n);
      if (take > 0) n += chunk.copy(buf, offset + n, skip, skip + take);
      at += chunk.length;
      if (n >= length) break;
    }
  } finally {
    // A body not read to its end holds its connection: give it back.
    body.destroy();
  }
  return n;
}

/**
 * Positional reads of one object, one ranged GET per read (`Range: bytes=a-b`). The first
 * answer tells the object's size and ETag: reads past the end then cost no request, and
 * every later read asks for that same version (If-Match), so a split never mixes two.
 */
export function openS3Reader(at: S3Location, url: string): RangeReader {
  let size: number | undefined;
  let etag: string | undefined;
  return {
    read: async (buf, offset, length, position) => {
      if (length <= 0 || (size !== undefined && position >= size)) return 0;
      const last = (size === undefined ? position + length : Math.min(position + length, size)) - 1;
      const answer = await getRange(at, url, position, last, etag);
      size ??= answer.size;
      etag ??= answer.etag;
      if (answer.body === undefined) return 0;
      return drain(answer.body, answer.from, buf, offset, length, position);
    },
    close: async () => undefined,
  };
}

/** Bytes [start, end) of an object as one ranged GET, in chunks of at most `chunkBytes`. */
export function openS3Range(at: S3Location, url: string, start: number, end: number, chunkBytes: number): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    if (end <= start) return;
    const answer = await getRange(at, url, start, end - 1);
    if (answer.body === undefined) return;
    let position = answer.from;
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      // A store that ignored the range sent the whole object: keep only [start, end).
      const lo = Math.max(0, start - position);
      const hi = Math.min(chunk.length, end - position);
      position += chunk.length;
      for (let i = lo; i < hi; i += chunkBytes) yield chunk.subarray(i, Math.min(hi, i + chunkBytes));
      if (position >= end) break;
    }
    answer.body.destroy();
  }
  return Readable.from(chunks(), { objectMode: false });
}
