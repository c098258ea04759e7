/** storage/schemes: one module per URL scheme, the way into this folder. */
export { fileStorage, localPath } from './file.js';
export { httpStorage } from './http.js';
export { HttpInputError, httpTrustedCa, setHttpTrustedCa } from './http-request.js';
export { openHttpReader } from './http-reader.js';
export { createS3Storage, s3Storage } from './s3.js';
export type { S3StorageOptions } from './s3.js';
export type { S3CopyLimits } from './s3-copy.js';
export { S3StorageError } from './s3-errors.js';
