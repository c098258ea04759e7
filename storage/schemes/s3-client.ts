import type * as ClientS3 from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type * as LibStorage from '@aws-sdk/lib-storage';
import { UserError, envS3ForcePathStyle } from '../../common/index.js';

/** The SDK's modules, loaded on first use (see {@link s3Sdk}). */
export type S3Sdk = typeof ClientS3;
/** lib-storage, loaded on the first upload. */
export type S3UploadSdk = typeof LibStorage;

/** How long connecting to the store may take, ms; the SDK retries a failed attempt (3 attempts in all). */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long a request's socket may stay silent, ms: a stalled store fails the read instead of hanging it. */
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

let sdk: Promise<S3Sdk> | undefined;
let uploadSdk: Promise<S3UploadSdk> | undefined;
const clients = new Map<string, Promise<S3Client>>();

/**
 * The AWS SDK's S3 client module. Loaded on the first s3:// operation, never at start-up:
 * every pool process and `mr run` loads storage/, and the SDK's 20 MB of modules would
 * add about a quarter of a second to each start whether or not a job touches S3.
 */
export function s3Sdk(): Promise<S3Sdk> {
  sdk ??= import('@aws-sdk/client-s3');
  return sdk;
}

/** lib-storage (multipart uploads), loaded on the first upload. */
export function s3UploadSdk(): Promise<S3UploadSdk> {
  uploadSdk ??= import('@aws-sdk/lib-storage');
  return uploadSdk;
}

/**
 * AWS_S3_FORCE_PATH_STYLE as a boolean, undefined when unset.
 * @throws UserError naming the variable and its value when it is neither true nor false.
 */
export function forcePathStyle(value = envS3ForcePathStyle()): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new UserError(
    `AWS_S3_FORCE_PATH_STYLE must be true or false (1 or 0), got ${JSON.stringify(value.slice(0, 40))}`,
  );
}

/**
 * This process's S3 client, made on first use and reused: one connection pool per
 * process. Credentials, region and endpoint come from the SDK's own default chain, in
 * this process's environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
 * AWS_PROFILE and ~/.aws/credentials and config, web identity, container and instance
 * roles; AWS_REGION or the profile's region; AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or the
 * profile's endpoint_url), so nothing of them travels with a job: the client, the master
 * and every worker resolve their own. Only path style is Groove's (AWS_S3_FORCE_PATH_STYLE).
 */
export function s3Client(): Promise<S3Client> {
  const pathStyle = forcePathStyle();
  const key = String(pathStyle);
  let client = clients.get(key);
  if (client === undefined) {
    client = s3Sdk().then(
      ({ S3Client: Client }) =>
        new Client({
          ...(pathStyle === undefined ? {} : { forcePathStyle: pathStyle }),
          requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: SOCKET_IDLE_TIMEOUT_MS },
        }),
    );
    clients.set(key, client);
  }
  return client;
}
