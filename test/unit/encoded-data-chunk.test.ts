import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type * as grpc from '@grpc/grpc-js';
import { grooveProto } from '../../proto/wire/index.js';
import {
  DATA_CHUNK_HEADER_ROOM,
  EncodedDataChunk,
  encodeDataChunkInPlace,
  workerServiceDefinition,
} from '../../proto/wire/index.js';

const fetchMethod = (): grpc.MethodDefinition<unknown, { data: Buffer }> =>
  grooveProto().groove.Worker.service.FetchPartition as unknown as grpc.MethodDefinition<unknown, { data: Buffer }>;

describe('DataChunk encoded in place', () => {
  for (const length of [0, 1, 127, 128, 300, 16_383, 16_384, 1024 * 1024, 2_097_151, 2_097_152, 4 * 1024 * 1024 + 3]) {
    it(`${length} bytes: protobuf decodes it to the same data, and encodes the same bytes`, () => {
      const buf = Buffer.alloc(DATA_CHUNK_HEADER_ROOM + length + 9, 0xee);
      for (let i = 0; i < length; i++) buf[DATA_CHUNK_HEADER_ROOM + i] = (i * 31 + 7) & 0xff;
      const data = Buffer.from(buf.subarray(DATA_CHUNK_HEADER_ROOM, DATA_CHUNK_HEADER_ROOM + length));
      const encoded = encodeDataChunkInPlace(buf, DATA_CHUNK_HEADER_ROOM, length);
      // A view of the caller's buffer, ending where the data ends.
      assert.equal(encoded.bytes.buffer, buf.buffer);
      assert.equal(encoded.bytes.byteOffset + encoded.bytes.length, buf.byteOffset + DATA_CHUNK_HEADER_ROOM + length);
      const method = fetchMethod();
      assert.ok(method.responseDeserialize(encoded.bytes).data.equals(data));
      assert.ok(encoded.bytes.equals(method.responseSerialize({ data })));
    });
  }

  it('refuses a data offset with no room for the header', () => {
    assert.throws(() => encodeDataChunkInPlace(Buffer.alloc(300), 2, 200), RangeError);
  });

  it('the service definition passes encoded chunks through and still encodes plain messages', () => {
    const service = workerServiceDefinition();
    for (const name of ['FetchPartition', 'ReadResult']) {
      const method = service[name] as grpc.MethodDefinition<unknown, unknown>;
      const encoded = encodeDataChunkInPlace(Buffer.alloc(DATA_CHUNK_HEADER_ROOM + 3, 5), DATA_CHUNK_HEADER_ROOM, 3);
      assert.equal(method.responseSerialize(encoded), encoded.bytes);
      assert.ok(method.responseSerialize({ data: Buffer.from([5, 5, 5]) }).equals(encoded.bytes));
    }
    assert.ok(!(Buffer.alloc(1) instanceof EncodedDataChunk));
  });
});
