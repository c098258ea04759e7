import type * as grpc from '@grpc/grpc-js';
import { varintSize, writeVarint } from '../formats/index.js';
import { grooveProto } from './load.js';

/**
 * A DataChunk message already in its protobuf encoding. The shuffle service reads file bytes
 * straight into a buffer that has room for the message header in front, so sending a
 * chunk costs no protobuf copy (encoding a `bytes` field copies it) and the read buffer
 * can be reused once gRPC has framed the message.
 */
export class EncodedDataChunk {
  constructor(readonly bytes: Buffer) {}
}

/** Bytes to leave in front of the data for the header: the field tag and a varint length. */
export const DATA_CHUNK_HEADER_ROOM = 6;

/** Field 1 (`data`), wire type 2 (length-delimited). */
const DATA_FIELD_TAG = 0x0a;

/**
 * Writes the DataChunk header right before `length` bytes at `buf[dataStart]` and returns
 * the encoded message (a view of `buf`, no copy). `dataStart` must be at least
 * {@link DATA_CHUNK_HEADER_ROOM}.
 */
export function encodeDataChunkInPlace(buf: Buffer, dataStart: number, length: number): EncodedDataChunk {
  const start = dataStart - varintSize(length) - 1;
  if (start < 0) throw new RangeError(`no room for a ${length}-byte chunk's header before offset ${dataStart}`);
  buf[start] = DATA_FIELD_TAG;
  writeVarint(buf, start + 1, length);
  return new EncodedDataChunk(buf.subarray(start, dataStart + length));
}

/**
 * The Worker service definition, with the shuffle service's streamed responses serialized as they come
 * when already encoded ({@link EncodedDataChunk}), by protobuf otherwise.
 */
export function workerServiceDefinition(): grpc.ServiceDefinition {
  const service = grooveProto().groove.Worker.service;
  const withEncodedChunks = (
    method: grpc.MethodDefinition<unknown, unknown>,
  ): grpc.MethodDefinition<unknown, unknown> => ({
    ...method,
    responseSerialize: (value: unknown) =>
      value instanceof EncodedDataChunk ? value.bytes : method.responseSerialize(value),
  });
  return {
    ...service,
    FetchPartition: withEncodedChunks(service.FetchPartition as grpc.MethodDefinition<unknown, unknown>),
    ReadResult: withEncodedChunks(service.ReadResult as grpc.MethodDefinition<unknown, unknown>),
  };
}
