/** worker/shuffle/fetch: the way into this folder. */
export { createWorkerClient } from './fetch-client.js';
export { FetchFailedError } from './fetch-failed-error.js';
export { fetchPartitionToFile } from './fetch-client.js';
export { receiveToFile } from './bulk-receive.js';
export { streamPartitionToFile } from './fetch-client.js';
export { ALIGNED_BLOCK_BYTES, AlignedBlockPool } from './aligned-block-pool.js';
export { BlockFileWriter } from './block-file-writer.js';
