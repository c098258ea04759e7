import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { Upload } from '@aws-sdk/lib-storage';
import type { StagedObject } from '../storage.js';
import { s3Client, s3Sdk, s3UploadSdk } from './s3-client.js';
import { s3Error } from './s3-errors.js';
import type { S3Location } from './s3-url.js';

/** The smallest part of a multipart upload (S3's minimum is 5 MiB); a smaller object goes in one PUT. */
const MIN_PART_BYTES = 8 * 1024 * 1024;
/** S3's most parts per multipart upload. */
const MAX_PARTS = 10_000;
/** Parts in flight per upload. */
const UPLOAD_QUEUE = 4;

/**
 * Uploads `body` as the object at `at`: one PUT when it is smaller than a part, a
 * multipart upload otherwise, which S3 makes visible only when complete (readers see the
 * old object or none until then) and which lib-storage aborts when a part fails, leaving
 * no parts behind. `size`, when known, sizes the parts to stay within 10,000.
 * `onStart` gets the upload, so that an abort can stop it midway.
 */
export async function uploadObject(
  at: S3Location,
  url: string,
  body: Readable | Buffer,
  size?: number,
  onStart?: (upload: Upload) => void,
): Promise<void> {
  const [client, { Upload: Uploader }] = await Promise.all([s3Client(), s3UploadSdk()]);
  const upload = new Uploader({
    client,
    params: { Bucket: at.bucket, Key: at.key, Body: body },
    partSize: Math.max(MIN_PART_BYTES, Math.ceil((size ?? 0) / MAX_PARTS)),
    queueSize: UPLOAD_QUEUE,
    leavePartsOnError: false,
  });
  onStart?.(upload);
  try {
    await upload.done();
  } catch (err) {
    throw s3Error(err, url, at.bucket, 'upload');
  }
}

/**
 * Stages an object for a synchronous producer: it writes a local temporary file (in the
 * system's temporary directory), and commit uploads that file to the object's key and
 * removes it. Abort removes the file and stops an upload under way, leaving no parts in
 * the store: it fails the file's stream, which makes lib-storage abort the multipart
 * upload once its parts in flight are answered, and waits for that (lib-storage's own
 * abort() returns before its parts in flight, and so before the upload is aborted).
 */
export async function stageS3Object(at: S3Location, url: string): Promise<StagedObject> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'groove-s3-stage-'));
  const localPath = path.join(dir, path.basename(at.key) || 'object');
  let upload: Upload | undefined;
  let body: fs.ReadStream | undefined;
  let committing: Promise<void> | undefined;
  const removeLocal = (): Promise<void> => fs.promises.rm(dir, { recursive: true, force: true });
  return {
    localPath,
    commit: () => {
      committing ??= (async () => {
        const { size } = await fs.promises.stat(localPath);
        body = fs.createReadStream(localPath);
        await uploadObject(at, url, body, size, (u) => (upload = u));
        await removeLocal();
      })();
      return committing;
    },
    abort: async () => {
      body?.destroy(new Error(`the upload of ${url} was aborted`));
      await committing?.catch(() => undefined);
      if (upload?.uploadId !== undefined) await abortUpload(at, upload.uploadId);
      await removeLocal();
    },
  };
}

/** Aborts a multipart upload that may be aborted already (then the store says NoSuchUpload, which is fine). */
async function abortUpload(at: S3Location, uploadId: string): Promise<void> {
  const [client, { AbortMultipartUploadCommand }] = await Promise.all([s3Client(), s3Sdk()]);
  await client
    .send(new AbortMultipartUploadCommand({ Bucket: at.bucket, Key: at.key, UploadId: uploadId }))
    .catch(() => undefined);
}
