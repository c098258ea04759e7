import * as fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS } from '../../../proto/wire/index.js';
import { channelCredentials, clientOptions, NO_SECURITY } from '../../../proto/wire/index.js';
import { grooveProto } from '../../../proto/wire/index.js';
import type { DataChunk__Output } from '../../../proto/wire/generated/groove/DataChunk';
import type { FetchPartitionRequest } from '../../../proto/wire/generated/groove/FetchPartitionRequest';
import type { FetchTicket__Output } from '../../../proto/wire/generated/groove/FetchTicket';
import type { Security } from '../../../proto/wire/index.js';
import type { WorkerClient } from '../../../proto/wire/generated/groove/Worker';
import { receiveToFile } from './bulk-receive.js';
import { LocalWriteError } from '../../local-write-error.js';

/** A client of a worker's data service (map outputs for reducers, part files for readers). */
export function createWorkerClient(address: string, security: Security = NO_SECURITY): WorkerClient {
  const Ctor = grooveProto().groove.Worker;
  return new Ctor(address, channelCredentials(security), clientOptions(security, CHANNEL_OPTIONS));
}

/** A fetch that receives nothing for this long is abandoned: its worker is presumed gone. */
export const FETCH_IDLE_TIMEOUT_MS = 10_000;

/** Options of {@link fetchPartitionToFile}. */
export interface FetchOptions {
  /** The worker's data address (host:port); its host is where the bulk data port listens. */
  readonly dataAddress: string;
  readonly security: Security;
  /** Called as data reaches the file. */
  readonly onChunk?: () => void;
  /** Give up when nothing arrives for this long, ms. Default {@link FETCH_IDLE_TIMEOUT_MS}. */
  readonly idleTimeoutMs?: number;
}

/**
 * Fetches one partition of a remote map output into a local file; resolves with its size.
 * Asks the worker's data service for a ticket (OpenFetch: the request is checked and
 * authenticated there) and collects the bytes from its bulk data port; a worker without
 * one (UNIMPLEMENTED) streams them over gRPC instead.
 */
export async function fetchPartitionToFile(client: WorkerClient, request: FetchPartitionRequest, destination: string, options: FetchOptions): Promise<number> {
  const idleTimeoutMs = options.idleTimeoutMs ?? FETCH_IDLE_TIMEOUT_MS;
  let ticket: FetchTicket__Output;
  try {
    ticket = await new Promise<FetchTicket__Output>((resolve, reject) =>
      client.openFetch(request, { deadline: Date.now() + idleTimeoutMs }, (err, reply) => (err || !reply ? reject(err ?? new Error('empty OpenFetch reply')) : resolve(reply))),
    );
  } catch (err) {
    if ((err as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return streamPartitionToFile(client, request, destination, options.onChunk, idleTimeoutMs);
    throw err;
  }
  if (ticket.length === 0) {
    try {
      fs.writeFileSync(destination, '');
    } catch (err) {
      throw new LocalWriteError(destination, err);
    }
    return 0;
  }
  const host = hostOf(options.dataAddress);
  await receiveToFile({ host, port: ticket.port, ticket: ticket.ticket, length: ticket.length }, destination, { security: options.security, onWrite: options.onChunk, idleTimeoutMs });
  return ticket.length;
}

/** The host of `host:port` or `[v6]:port`. */
function hostOf(address: string): string {
  const colon = address.lastIndexOf(':');
  const host = colon < 0 ? address : address.slice(0, colon);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Streams one partition of a remote map output into a local file over gRPC (FetchPartition);
 * resolves with its size. Writes are asynchronous, one at a time, so the disk write of a chunk overlaps receiving
 * the next ones instead of blocking the event loop (gRPC keeps receiving into the call's
 * bounded buffer meanwhile, and pauses the stream when it is full).
 */
export async function streamPartitionToFile(
  client: WorkerClient,
  request: FetchPartitionRequest,
  destination: string,
  onChunk: () => void = () => undefined,
  idleTimeoutMs = FETCH_IDLE_TIMEOUT_MS,
): Promise<number> {
  // The file is opened before the call starts: an error status that came in while the
  // open was awaited would find no reader yet and be lost (the stream would just end).
  const file = await fs.promises.open(destination, 'w').catch((err: unknown) => {
    throw new LocalWriteError(destination, err);
  });
  const call = client.fetchPartition(request);
  // A cut link does not end a stream by itself: give up when the data stops coming.
  let idle = setTimeout(() => call.cancel(), idleTimeoutMs);
  const restartIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => call.cancel(), idleTimeoutMs);
  };
  let writing: Promise<void> = Promise.resolve();
  let bytes = 0;
  try {
    const out = file;
    for await (const chunk of call as AsyncIterable<DataChunk__Output>) {
      restartIdle();
      await writing;
      // The time spent waiting for our own disk is not the sender's silence.
      restartIdle();
      writing = writeFully(out, chunk.data, bytes).catch((err: unknown) => {
        throw new LocalWriteError(destination, err);
      });
      bytes += chunk.data.length;
      onChunk();
    }
    await writing;
  } catch (err) {
    call.cancel();
    // Settle the write in flight before closing its file; its error, if any, is this one's.
    await writing.catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(idle);
    await file.close();
  }
  return bytes;
}

/** Writes all of `data` at `position` (a write may take fewer bytes than asked). */
async function writeFully(file: fs.promises.FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
