/**
 * The wire: the only door other folders use into proto/ (the gRPC package, generated message
 * types, codecs for keys, values, records and packs, ids, credentials).
 */
export { CHANNEL_OPTIONS, DATA_CHUNK_BYTES } from './channel-options.js';
export { NO_SECURITY, channelCredentials, clientOptions, serverCredentials, serverOptions, tokenMatches } from './credentials.js';
export type { Security } from './credentials.js';
export type { CommittedAttempts, CommittedAttempts__Output } from './generated/groove/CommittedAttempts';
export type { DataChunk, DataChunk__Output } from './generated/groove/DataChunk';
export type { FetchPartitionRequest, FetchPartitionRequest__Output } from './generated/groove/FetchPartitionRequest';
export type { FetchTicket__Output } from './generated/groove/FetchTicket';
export type { JobEvent__Output } from './generated/groove/JobEvent';
export type { JobStatus, JobStatus__Output } from './generated/groove/JobStatus';
export type { ListJobsReply__Output } from './generated/groove/ListJobsReply';
export type { ListWorkersReply__Output } from './generated/groove/ListWorkersReply';
export type { MasterClient, MasterHandlers } from './generated/groove/Master';
export type { MasterMessage, MasterMessage__Output } from './generated/groove/MasterMessage';
export type { PackChunk__Output } from './generated/groove/PackChunk';
export type { PurgeReply__Output } from './generated/groove/PurgeReply';
export type { Registered__Output } from './generated/groove/Registered';
export type { RegisterWorker__Output } from './generated/groove/RegisterWorker';
export type { ResultLocation__Output } from './generated/groove/ResultLocation';
export type { ResultLocations__Output } from './generated/groove/ResultLocations';
export type { SubmitJobReply__Output } from './generated/groove/SubmitJobReply';
export type { SubmitJobRequest, SubmitJobRequest__Output } from './generated/groove/SubmitJobRequest';
export type { TaskAssignment, TaskAssignment__Output } from './generated/groove/TaskAssignment';
export type { TaskUpdate, TaskUpdate__Output } from './generated/groove/TaskUpdate';
export type { WorkerClient, WorkerHandlers } from './generated/groove/Worker';
export type { WorkerInfo__Output } from './generated/groove/WorkerInfo';
export type { WorkerMessage, WorkerMessage__Output } from './generated/groove/WorkerMessage';
export { isValidId, mapTaskId, reduceTaskId } from './ids.js';
export { JOB_PACK_FORMAT, PACK_HASH_PATTERN, decodeJobPack, encodeJobPack, packHash } from './job-pack.js';
export type { JobPack } from './job-pack.js';
export { decodeKey, encodeKey, writeStringKeyAt } from './key-codec.js';
export type { Key } from './key-codec.js';
export { grooveProto } from './load.js';
export { createMasterClient } from './master-client.js';
export { hashPartition, hashPartitionOfRange } from './partitioner.js';
export { RecordFileError, RecordFileReader, RecordFileWriter, varintSize, writeVarint } from './record-file.js';
export {
  BLOCK_HEADER_BYTES,
  BlockChecksumError,
  MAX_BLOCK_PAYLOAD_BYTES,
  PART_FILE_END_BYTES,
  PartFileVerifier,
  blockChecksum,
  encodePartFileEnd,
  verifyPartFile,
  verifyPartFileSync,
  writeBlockHeader,
} from './record-blocks.js';
export { storeKeyPrefix } from './record-source.js';
export type { FramedRecordSink, RecordSink, RecordSource } from './record-source.js';
export { ResultLinesError, ResultLinesWriter, isResultFormat, resultLinesPath, resultLinesSumPath, verifyResultLines } from './result-lines-file.js';
export { formatRecord } from './result-line.js';
export type { ResultFormat } from './result-line.js';
export { ResultTextEncoder } from './result-text-encoder.js';
export { RecordStreamDecoder } from './record-stream-decoder.js';
export { checkValue, decodeValue, encodeValue, encodeValueOf, findUnstorable, scalarValueRoom, UnstorableValueError, writeScalarValueAt } from './value-codec.js';
