/** worker/shuffle: the way into this folder. */
export { BulkDataServer } from './serve/index.js';
export { createDataService } from './serve/index.js';
export { createWorkerClient } from './fetch/index.js';
export { FetchFailedError } from './fetch/index.js';
export { fetchPartitionToFile } from './fetch/index.js';
export { TICKET_BYTES } from './bulk-protocol.js';
export { receiveToFile } from './fetch/index.js';
export { streamPartitionToFile } from './fetch/index.js';
export { ALIGNED_BLOCK_BYTES, AlignedBlockPool } from './fetch/index.js';
export { BlockFileWriter } from './fetch/index.js';
