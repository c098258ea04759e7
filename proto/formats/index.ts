/** proto/formats: the way into this folder. */
export type { ResultFormat } from './result-line.js';
export { isValidId } from './ids.js';
export { isResultFormat } from './result-lines-file.js';
export { PACK_HASH_PATTERN, decodeJobPack, packHash } from './job-pack.js';
export { mapTaskId, reduceTaskId } from './ids.js';
export { BlockChecksumError, verifyPartFile } from './record-blocks.js';
export { storeKeyPrefix } from './record-source.js';
export type { FramedRecordSink, RecordSource } from './record-source.js';
export { encodeKey } from './key-codec.js';
export { encodeValueOf } from './value-codec.js';
export { hashPartition } from './partitioner.js';
export { RecordFileReader, RecordFileWriter } from './record-file.js';
export type { Key } from './key-codec.js';
export { RecordFileError } from './record-file.js';
export { checkValue } from './value-codec.js';
export { UnstorableValueError, decodeValue } from './value-codec.js';
export { decodeKey } from './key-codec.js';
export { hashPartitionOfRange } from './partitioner.js';
export type { KeyBytesPartitioner } from './partitioner.js';
export { scalarValueRoom, writeScalarValueAt } from './value-codec.js';
export {
  frameBehindReservedVarint,
  MAX_LENGTH_VARINT_BYTES,
  MAX_VARINT_BYTES,
  VARINT_TOO_LONG,
  VARINT_TRUNCATED,
  readVarint,
  varintSize,
  varintValue,
  writeVarint,
} from './varint.js';
export { writeStringKeyAt } from './key-codec.js';
export { encodePartFileEnd } from './record-blocks.js';
export { ResultLinesWriter } from './result-lines-file.js';
export { BLOCK_HEADER_BYTES, MAX_BLOCK_PAYLOAD_BYTES, blockChecksum, writeBlockHeader } from './record-blocks.js';
export { PART_FILE_END_BYTES } from './record-blocks.js';
export { JOB_PACK_FORMAT, MAX_PACK_BYTES, encodeJobPack } from './job-pack.js';
export { formatRecord } from './result-line.js';
export { PART_FILE_NAME, SUCCESS_FILE, TEMPORARY_DIR, partFileName } from './output-names.js';
export { encodeValue } from './value-codec.js';
export type { RecordFileReaderOptions, RecordFileWriterOptions } from './record-file.js';
export { PartFileVerifier, verifyPartFileSync } from './record-blocks.js';
export { compareKeys, isKey } from './key-codec.js';
export { ResultTextEncoder } from './result-text-encoder.js';
export { RecordStreamDecoder } from './record-stream-decoder.js';
export type { JobPack } from './job-pack.js';
export { MAP_OUTPUT_DATA_FILE, encodeMapOutputIndex, openPartition, readMapOutputIndex } from './map-output-file.js';
export type { MapOutputFile } from './map-output-file.js';
export { RESULT_URI_SCHEME, isResultUri, parseResultUri, resultUri } from './result-uri.js';
export type { ResultUri } from './result-uri.js';
export { readPartFileEnd } from './record-blocks.js';
export { CODEC_MAGIC, inputCodecOf } from './input-compression.js';
export type { InputCodec } from './input-compression.js';
export { chooseSplits, checkSplits, rangePartitionOfRange } from './range-partitioner.js';
export { prefixTupleBytes, tuplePrefixEnd } from './key-prefix.js';
