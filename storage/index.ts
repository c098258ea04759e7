/** storage: the seam between the engine and where bytes live, the way into this folder. */
export type {
  ListOptions,
  RangeReader,
  StagedObject,
  Storage,
  StorageEntry,
  StorageKind,
  StorageStat,
} from './storage.js';
export { isUrl, registerStorage, schemeOf, storageFor } from './storage-registry.js';
export { fileStorage, localPath } from './schemes/index.js';
export { HttpInputError, httpStorage, httpTrustedCa, openHttpReader, setHttpTrustedCa } from './schemes/index.js';
export { createS3Storage, S3StorageError, s3Storage } from './schemes/index.js';
export type { S3CopyLimits, S3StorageOptions } from './schemes/index.js';
export { verifyStoredPart } from './stored-part-check.js';
