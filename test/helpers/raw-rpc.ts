import * as grpc from '@grpc/grpc-js';
import { grooveProto } from '../../proto/wire/index.js';

/** One RPC method of a Groove service, as the wire sees it. */
export interface MethodInfo {
  readonly service: 'Master' | 'Worker';
  readonly name: string;
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly serialize: (value: object) => Buffer;
}

/** Every method of both services, read from groove.proto, so a new method is covered by the tests that use this. */
export function allMethods(): MethodInfo[] {
  const g = grooveProto().groove;
  const out: MethodInfo[] = [];
  for (const [service, def] of [
    ['Master', g.Master.service],
    ['Worker', g.Worker.service],
  ] as const) {
    for (const [name, m] of Object.entries(def as grpc.ServiceDefinition)) {
      out.push({
        service,
        name,
        path: m.path,
        requestStream: m.requestStream,
        responseStream: m.responseStream,
        serialize: (v) => m.requestSerialize(v),
      });
    }
  }
  return out;
}

/** The outcome of one raw call: a status code (OK when it answered normally). */
export interface RawOutcome {
  readonly code: grpc.status;
  readonly details: string;
}

/**
 * Calls a method with raw request bytes (valid or not) and the given metadata, and
 * reports how it ended. Streams are read to the end; a bidi call sends its messages and
 * half-closes.
 */
export function rawCall(
  client: grpc.Client,
  method: MethodInfo,
  messages: readonly Buffer[],
  metadata: grpc.Metadata,
  timeoutMs = 5000,
): Promise<RawOutcome> {
  const identity = (b: Buffer): Buffer => b;
  const options = { deadline: Date.now() + timeoutMs };
  return new Promise((resolve) => {
    const done = (err: grpc.ServiceError | null): void =>
      resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' });
    if (!method.requestStream && !method.responseStream) {
      client.makeUnaryRequest(
        method.path,
        identity,
        identity,
        messages[0] ?? Buffer.alloc(0),
        metadata,
        options,
        (err) => done(err),
      );
      return;
    }
    let call: grpc.ClientReadableStream<Buffer> | grpc.ClientDuplexStream<Buffer, Buffer>;
    if (!method.requestStream) {
      call = client.makeServerStreamRequest(
        method.path,
        identity,
        identity,
        messages[0] ?? Buffer.alloc(0),
        metadata,
        options,
      );
    } else if (method.responseStream) {
      const duplex = client.makeBidiStreamRequest(method.path, identity, identity, metadata, options);
      for (const m of messages) duplex.write(m);
      duplex.end();
      call = duplex;
    } else {
      throw new Error(`client-streaming method ${method.path} not supported`);
    }
    let settled = false;
    call.on('data', () => undefined);
    call.on('error', (err: grpc.ServiceError) => {
      if (!settled) {
        settled = true;
        done(err);
      }
    });
    call.on('status', (s: grpc.StatusObject) => {
      if (!settled) {
        settled = true;
        resolve({ code: s.code, details: s.details });
      }
    });
  });
}

/** Metadata carrying a token the way Groove clients send it. */
export function tokenMetadata(token: string | undefined): grpc.Metadata {
  const md = new grpc.Metadata();
  if (token !== undefined) md.set('authorization', `Bearer ${token}`);
  return md;
}
