/**
 * worker/shuffle: the way into this folder. The shuffle moves map outputs to reducers: serve/
 * runs in the daemon (the shuffle service over gRPC, the bulk port, and the gRPC calls of
 * its own reducers' fetches), fetch/ runs in pool processes (the bulk port's receiving end).
 * Nothing loaded from here loads grpc-js until a daemon uses it.
 */
export { BulkServer, createShuffleService, PeerFetches, streamPartitionToFile } from './serve/index.js';
export type { BulkServerOptions, PeerFetchOptions, StreamOptions } from './serve/index.js';
export { FetchCallError, FetchFailedError, fetchPartitionToFile, receiveToFile } from './fetch/index.js';
export type { BulkTicket, FetchOptions, ReceiveOptions } from './fetch/index.js';
export { ALIGNED_BLOCK_BYTES, AlignedBlockPool, BlockFileWriter } from './fetch/index.js';
export { TICKET_BYTES } from './bulk-protocol.js';
export { FETCH_IDLE_TIMEOUT_MS } from './open-fetch.js';
export type { FetchOpener, OpenFetchAnswer, OpenFetchRequest } from './open-fetch.js';
