import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { acceptingEncodedMessages, encodeReduceAssignment } from '../../proto/wire/index.js';
import { grooveProto } from '../../proto/wire/index.js';
import type { MasterMessage, MasterMessage__Output } from '../../proto/wire/generated/groove/MasterMessage';
import type { TaskAssignment } from '../../proto/wire/generated/groove/TaskAssignment';

const session = grooveProto().groove.Master.service.Session;
const serialize = session.responseSerialize as (m: MasterMessage) => Buffer;
const deserialize = session.responseDeserialize as (b: Buffer) => MasterMessage__Output;

const base: TaskAssignment = {
  jobId: 'wc-20261126-000102-a1b2',
  taskId: 'reduce-00003',
  attempt: 2,
  packHash: 'f'.repeat(64),
  partitions: 7,
  params: { a: '1', b: 'x y' },
  sortBufferBytes: 64 * 1024 * 1024,
  kind: 'REDUCE',
  partition: 3,
};

describe('encodeReduceAssignment', () => {
  it('decodes to what protobufjs makes of the same assignment, for every size of number', () => {
    const hosts = [
      { workerId: 'w1', dataAddress: '10.0.0.1:7001' },
      { workerId: 'w2', dataAddress: '10.0.0.2:7001' },
    ];
    // Varints of 1 to 5 bytes, byte offsets past 2^32 and up to 2^53.
    const attempts = [0, 1, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, 4_294_967_295];
    const n = attempts.length;
    const host = Uint32Array.from({ length: n }, (_, i) => i % 2);
    const attempt = Uint32Array.from(attempts);
    const start = Float64Array.from({ length: n }, (_, i) => i * 2 ** 33);
    const end = Float64Array.from({ length: n }, (_, i) => (i === n - 1 ? 2 ** 53 - 1 : i * 2 ** 33 + 1));
    const mine = encodeReduceAssignment(base, { hosts, host, attempt, start, end });
    const theirs = serialize({
      assign: {
        ...base,
        outputHosts: hosts,
        outputHost: [...host],
        outputAttempt: [...attempt],
        outputStart: [...start],
        outputEnd: [...end],
      },
    });
    const decoded = deserialize(mine);
    assert.deepEqual(decoded, deserialize(theirs));
    assert.equal(decoded.kind, 'assign');
    assert.deepEqual(decoded.assign?.outputAttempt, attempts);
    assert.equal(decoded.assign?.outputEnd[n - 1], 2 ** 53 - 1);
    assert.deepEqual(decoded.assign?.params, { a: '1', b: 'x y' });
  });

  it('encodes an assignment with a million map outputs', () => {
    const n = 1_000_000;
    const start = new Float64Array(n).map((_, i) => i);
    const decoded = deserialize(
      encodeReduceAssignment(base, {
        hosts: [{ workerId: 'w', dataAddress: 'h:1' }],
        host: new Uint32Array(n),
        attempt: new Uint32Array(n).fill(300),
        start,
        end: start.map((v) => v + 1),
      }),
    );
    assert.equal(decoded.assign?.outputHost.length, n);
    assert.equal(decoded.assign?.outputAttempt[n - 1], 300);
    assert.equal(decoded.assign?.outputEnd[n - 1], n);
  });
});

describe('acceptingEncodedMessages', () => {
  it('sends encoded messages as they are and serializes the others', () => {
    const service = acceptingEncodedMessages(grooveProto().groove.Master.service);
    const write = service['Session']?.responseSerialize as (m: MasterMessage | Buffer) => Buffer;
    const bytes = encodeReduceAssignment(base, {
      hosts: [],
      host: new Uint32Array(0),
      attempt: new Uint32Array(0),
      start: new Float64Array(0),
      end: new Float64Array(0),
    });
    assert.equal(write(bytes), bytes);
    const cancel: MasterMessage = { cancel: { jobId: 'j', deleteFiles: true } };
    assert.deepEqual(write(cancel), serialize(cancel));
  });
});
