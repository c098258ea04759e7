/** proto/wire: the way into this folder. */
export { CHANNEL_OPTIONS } from './channel-options.js';
export { grooveProto } from './load.js';
export { serverCredentials, serverOptions } from './credentials.js';
export { acceptingEncodedMessages } from './encoded-message.js';
export type { EncodedMasterMessage } from './encoded-message.js';
export { encodeReduceAssignment } from './encoded-message.js';
export type { OutputColumns } from './encoded-message.js';
export { NO_SECURITY } from './credentials.js';
export type { Security } from './credentials.js';
export { DATA_CHUNK_BYTES } from './channel-options.js';
export { tokenMatches } from './credentials.js';
export { createMasterClient } from './master-client.js';
export { createWorkerClient } from './worker-client.js';
export { grpcLib } from './grpc-lib.js';
export { workerServiceDefinition } from './encoded-data-chunk.js';
export { DATA_CHUNK_HEADER_ROOM, encodeDataChunkInPlace } from './encoded-data-chunk.js';
export { channelCredentials, clientOptions } from './credentials.js';
export { EncodedDataChunk } from './encoded-data-chunk.js';
