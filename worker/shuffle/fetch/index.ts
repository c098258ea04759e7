/** worker/shuffle/fetch: the way into this folder (the pool process's end: no grpc-js here). */
export { FetchCallError, fetchPartitionToFile } from './fetch-client.js';
export type { FetchOptions } from './fetch-client.js';
export { FetchFailedError } from './fetch-failed-error.js';
export { receiveToFile } from './bulk-receive.js';
export type { BulkTicket, ReceiveOptions } from './bulk-receive.js';
export { ALIGNED_BLOCK_BYTES, AlignedBlockPool } from './aligned-block-pool.js';
export { BlockFileWriter } from './block-file-writer.js';
