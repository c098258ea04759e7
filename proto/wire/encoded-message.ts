import type * as grpc from '@grpc/grpc-js';
import { MAX_VARINT_BYTES, readVarint, varintSize, varintValue, writeVarint } from '../formats/index.js';
import { grooveProto } from './load.js';
import type { MasterMessage } from './generated/groove/MasterMessage';
import type { TaskAssignment } from './generated/groove/TaskAssignment';

/** A MasterMessage already in wire form: the Session sends its bytes as they are. */
export type EncodedMasterMessage = Buffer & { readonly encodedMasterMessage: true };

/** Where partition p of every map output is: the columns of a reduce assignment (see groove.proto). */
export interface OutputColumns {
  readonly hosts: readonly { readonly workerId: string; readonly dataAddress: string }[];
  readonly host: Uint32Array;
  readonly attempt: Uint32Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
}

// Field numbers from proto/groove.proto; test/unit/encoded-message.test.ts decodes what is
// written here with the generated decoder, so a change there fails the test.
const MASTER_MESSAGE_ASSIGN = 2;
const OUTPUT_HOST = 13;
const OUTPUT_ATTEMPT = 14;
const OUTPUT_START = 15;
const OUTPUT_END = 16;
const LENGTH_DELIMITED = 2;

type Serialize = (m: MasterMessage) => Buffer;

function sessionSerializer(): Serialize {
  return grooveProto().groove.Master.service.Session.responseSerialize;
}

/**
 * The Master service definition, with a Session that also sends EncodedMasterMessages
 * unchanged (every other message is serialized as usual).
 */
export function acceptingEncodedMessages(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const session = service['Session'];
  if (!session) throw new Error('the Master service has no Session');
  const serialize = session.responseSerialize as Serialize;
  return {
    ...service,
    Session: { ...session, responseSerialize: (m: MasterMessage | Buffer) => (Buffer.isBuffer(m) ? m : serialize(m)) },
  };
}

/**
 * A reduce assignment as `{ assign }` in wire form, its map output columns written here.
 * With a million maps, protobufjs would copy each column into a new array and make an
 * object per number while encoding (about 280 MB and 0.6 s per assignment); written
 * directly, the columns cost their bytes. The rest goes through protobufjs, and protobuf
 * lets fields follow one another in any order, so the columns are simply appended.
 */
export function encodeReduceAssignment(base: TaskAssignment, columns: OutputColumns): EncodedMasterMessage {
  const head = sessionSerializer()({
    assign: { ...base, outputHosts: columns.hosts.map((h) => ({ workerId: h.workerId, dataAddress: h.dataAddress })) },
  });
  // head is one field: tag, length, the assignment's bytes.
  const lengthAt = readVarint(head, 0, head.length);
  if (lengthAt < 0 || varintValue() !== ((MASTER_MESSAGE_ASSIGN << 3) | LENGTH_DELIMITED))
    throw new Error('unexpected encoding of an assignment');
  const bodyAt = readVarint(head, lengthAt, head.length);
  const body = head.subarray(bodyAt);
  if (bodyAt < 0 || body.length !== varintValue()) throw new Error('unexpected encoding of an assignment');
  const w = new ByteWriter(body.length + columns.host.length * 26 + 64);
  w.bytes(body);
  w.packedVarints(OUTPUT_HOST, columns.host);
  w.packedVarints(OUTPUT_ATTEMPT, columns.attempt);
  w.packedDoubles(OUTPUT_START, columns.start);
  w.packedDoubles(OUTPUT_END, columns.end);
  const assignment = w.done();
  const out = new ByteWriter(assignment.length + 16);
  out.varint((MASTER_MESSAGE_ASSIGN << 3) | LENGTH_DELIMITED);
  out.varint(assignment.length);
  out.bytes(assignment);
  return out.done() as EncodedMasterMessage;
}

/** Just enough of a protobuf writer for the columns: varints, packed fields, raw bytes. */
class ByteWriter {
  private buf: Buffer;
  private at = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  /** A non-negative integer below 2^53 as a varint. */
  varint(v: number): void {
    this.room(MAX_VARINT_BYTES);
    this.at = writeVarint(this.buf, this.at, v);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  packedVarints(field: number, values: Uint32Array): void {
    if (values.length === 0) return;
    let size = 0;
    for (const v of values) size += varintSize(v);
    this.varint((field << 3) | LENGTH_DELIMITED);
    this.varint(size);
    this.room(size);
    for (const v of values) this.varint(v);
  }

  packedDoubles(field: number, values: Float64Array): void {
    if (values.length === 0) return;
    this.varint((field << 3) | LENGTH_DELIMITED);
    this.varint(values.length * 8);
    this.room(values.length * 8);
    for (const v of values) {
      this.buf.writeDoubleLE(v, this.at);
      this.at += 8;
    }
  }

  done(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}
