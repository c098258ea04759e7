/** worker/shuffle/serve: the way into this folder (the daemon's end: serving peers, fetching for its pool). */
export { BulkServer } from './bulk-server.js';
export type { BulkServerOptions } from './bulk-server.js';
export { createShuffleService } from './shuffle-service.js';
export { PeerFetches, streamPartitionToFile } from './peer-fetches.js';
export type { PeerFetchOptions, StreamOptions } from './peer-fetches.js';
