import { UserError, oneLine } from '../../common/index.js';

/**
 * A failed s3:// operation, in one line naming the URL, with Node's `code` where one
 * applies (ENOENT: no such bucket or key; EACCES: access denied or invalid credentials),
 * so callers tell "not there" and "not allowed" apart as they do for files. No message
 * ever holds a credential: a refusal is described by the store's error code alone.
 */
export class S3StorageError extends UserError {
  constructor(
    readonly url: string,
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(oneLine(`${url}: ${message}`), options);
  }
}

/** What the SDK's errors carry: a service error's name and HTTP status, or a Node error's code. */
interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The store's error names that mean "these credentials may not do this". */
const DENIED = new Set([
  'AccessDenied',
  'Forbidden',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
  'AccountProblem',
]);

/** The HTTP status of a service error, undefined for a client-side one. */
export function statusOf(err: unknown): number | undefined {
  return (err as SdkError).$metadata?.httpStatusCode;
}

/** True for the store's "no such key" (a GET's NoSuchKey, a HEAD's bare 404). */
export function isNoSuchKey(err: unknown): boolean {
  const e = err as SdkError;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || (statusOf(err) === 404 && e.name !== 'NoSuchBucket');
}

/**
 * The one-line error for what the SDK threw while doing `op` on `url` (an S3StorageError
 * passes as it is). `bucket` names the bucket in "no such bucket" messages.
 */
export function s3Error(err: unknown, url: string, bucket: string, op: string): S3StorageError {
  if (err instanceof S3StorageError) return err;
  const e = err as SdkError;
  const name = e.name ?? 'Error';
  const status = statusOf(err);
  if (name === 'NoSuchBucket') return new S3StorageError(url, `no such bucket ${bucket}`, 'ENOENT', { cause: err });
  if (isNoSuchKey(err)) return new S3StorageError(url, 'no such key', 'ENOENT', { cause: err });
  if (DENIED.has(name) || status === 401 || status === 403) {
    return new S3StorageError(url, `access denied or invalid credentials (${name})`, 'EACCES', { cause: err });
  }
  if (name === 'CredentialsProviderError') {
    return new S3StorageError(
      url,
      'no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ' +
        '~/.aws/credentials where the master and the workers run, or give them an instance role)',
      'EACCES',
      { cause: err },
    );
  }
  if (/Region is missing/.test(e.message ?? '')) {
    return new S3StorageError(
      url,
      'no AWS region configured (set AWS_REGION, or a region in ~/.aws/config, where the master and the workers run)',
      'EINVAL',
      { cause: err },
    );
  }
  const message = e.message && e.message !== name ? `: ${e.message}` : '';
  const detail = status === undefined ? (e.message ?? name) : `${name}${message}, HTTP ${status}`;
  return new S3StorageError(url, `${op} failed (${detail})`, e.code, { cause: err });
}
