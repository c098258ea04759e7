import { UserError } from '../../common/index.js';

/** An `s3://BUCKET/KEY` URL taken apart. The key is taken as written: no percent-decoding, as the AWS CLI does. */
export interface S3Location {
  readonly bucket: string;
  /** The object's key, or a prefix ending in `/`, or '' for the whole bucket. */
  readonly key: string;
}

const PREFIX = 's3://';

/** Bucket names as S3 and the stores that imitate it accept them (3-63 of lower case letters, digits, `.`, `-`, `_`). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/i;

/**
 * The bucket and key of an `s3://BUCKET/KEY` URL.
 * @throws UserError naming the URL when it is not one (no bucket, a bucket name no store accepts).
 */
export function parseS3Url(url: string): S3Location {
  if (url.slice(0, PREFIX.length).toLowerCase() !== PREFIX)
    throw new UserError(`${url.slice(0, 200)}: not an s3:// URL (s3://BUCKET/KEY or s3://BUCKET/PREFIX/)`);
  const rest = url.slice(PREFIX.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!BUCKET_NAME.test(bucket)) {
    throw new UserError(
      bucket === ''
        ? `${url.slice(0, 200)}: names no bucket (s3://BUCKET/KEY or s3://BUCKET/PREFIX/)`
        : `${url.slice(0, 200)}: ${JSON.stringify(bucket.slice(0, 80))} is not a bucket name ` +
            '(3 to 63 letters, digits, dots, hyphens or underscores)',
    );
  }
  return { bucket, key };
}

/** The URL of an object: `s3://BUCKET/KEY`. */
export function s3Url(bucket: string, key: string): string {
  return `${PREFIX}${bucket}/${key}`;
}

/** A key as CopyObject's CopySource wants it: `BUCKET/KEY`, each path segment percent-encoded. */
export function copySource(location: S3Location): string {
  return `${location.bucket}/${location.key.split('/').map(encodeURIComponent).join('/')}`;
}
