import type { S3Client } from '@aws-sdk/client-s3';
import { s3Sdk } from './s3-client.js';
import { s3Error } from './s3-errors.js';
import { copySource, s3Url } from './s3-url.js';
import type { S3Location } from './s3-url.js';

/** Limits of a server-side copy; the defaults are S3's own. */
export interface S3CopyLimits {
  /** The largest object one CopyObject copies; larger ones are copied in parts (UploadPartCopy). Default 5 GiB. */
  readonly maxSingleCopyBytes?: number;
  /** Bytes per part of a copy in parts (at least 5 MiB, at most 5 GiB; grown to stay within 10,000 parts). Default 512 MiB. */
  readonly partCopyBytes?: number;
}

/** S3's limit of one CopyObject, and of one part. */
const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;
const DEFAULT_PART_COPY_BYTES = 512 * 1024 ** 2;
/** S3's most parts per multipart upload. */
const MAX_PARTS = 10_000;

/**
 * Copies an object of `size` bytes server side: the bytes never leave the store. One
 * CopyObject up to {@link S3CopyLimits.maxSingleCopyBytes}, a multipart upload of
 * UploadPartCopy ranges beyond it (aborted, leaving nothing, when a part fails).
 */
export async function copyObject(
  client: S3Client,
  from: S3Location,
  to: S3Location,
  size: number,
  limits: S3CopyLimits = {},
): Promise<void> {
  const sdk = await s3Sdk();
  const source = copySource(from);
  const url = s3Url(to.bucket, to.key);
  if (size <= (limits.maxSingleCopyBytes ?? MAX_SINGLE_COPY_BYTES)) {
    try {
      await client.send(new sdk.CopyObjectCommand({ Bucket: to.bucket, Key: to.key, CopySource: source }));
    } catch (err) {
      throw s3Error(err, url, to.bucket, `CopyObject from ${s3Url(from.bucket, from.key)}`);
    }
    return;
  }
  const partBytes = Math.max(limits.partCopyBytes ?? DEFAULT_PART_COPY_BYTES, Math.ceil(size / MAX_PARTS));
  let uploadId: string | undefined;
  try {
    ({ UploadId: uploadId } = await client.send(
      new sdk.CreateMultipartUploadCommand({ Bucket: to.bucket, Key: to.key }),
    ));
    const parts: { ETag: string; PartNumber: number }[] = [];
    for (let start = 0, n = 1; start < size; start += partBytes, n++) {
      const end = Math.min(size, start + partBytes) - 1;
      const out = await client.send(
        new sdk.UploadPartCopyCommand({
          Bucket: to.bucket,
          Key: to.key,
          UploadId: uploadId,
          PartNumber: n,
          CopySource: source,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      parts.push({ ETag: out.CopyPartResult?.ETag ?? '', PartNumber: n });
    }
    await client.send(
      new sdk.CompleteMultipartUploadCommand({
        Bucket: to.bucket,
        Key: to.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (err) {
    if (uploadId !== undefined) {
      await client
        .send(new sdk.AbortMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId: uploadId }))
        .catch(() => undefined);
    }
    throw s3Error(err, url, to.bucket, `copy in parts from ${s3Url(from.bucket, from.key)}`);
  }
}
