import * as fs from 'node:fs';
import type * as grpc from '@grpc/grpc-js';
import type { Security } from '../../../common/index.js';
import { createWorkerClient, grpcLib } from '../../../proto/wire/index.js';
import type { DataChunk__Output } from '../../../proto/wire/generated/groove/DataChunk';
import type { FetchPartitionRequest } from '../../../proto/wire/generated/groove/FetchPartitionRequest';
import type { FetchTicket__Output } from '../../../proto/wire/generated/groove/FetchTicket';
import type { ReadResultRequest } from '../../../proto/wire/generated/groove/ReadResultRequest';
import type { WorkerClient } from '../../../proto/wire/generated/groove/Worker';
import { FETCH_IDLE_TIMEOUT_MS } from '../open-fetch.js';
import type { OpenFetchAnswer, OpenFetchRequest } from '../open-fetch.js';
import { LocalWriteError } from '../../local-write-error.js';

/** What a fetch opened for a pool process may be told while it runs. */
export interface PeerFetchOptions {
  /** Aborted when the pool process that asked is gone: the fetch ends at once. */
  readonly signal?: AbortSignal;
  /** Called as streamed data reaches the file. */
  readonly onChunk?: () => void;
}

/**
 * The daemon's half of its reducers' fetches: the gRPC calls to the peers' shuffle services,
 * on one cached client per peer address, so pool processes never load grpc-js. It opens a
 * fetch (OpenFetch, with the fetch's idle timeout as deadline) and hands the ticket back;
 * a peer without a bulk port (UNIMPLEMENTED) gets its partition streamed into the
 * destination file here.
 */
export class PeerFetches {
  private readonly clients = new Map<string, PeerClient>();
  private closed = false;

  constructor(private readonly security: Security) {}

  /** Opens one fetch; never rejects (a failure is an answer, with its gRPC status). */
  async open(request: OpenFetchRequest, options: PeerFetchOptions = {}): Promise<OpenFetchAnswer> {
    if (this.closed) return { kind: 'failed', message: 'the worker is shutting down', local: false };
    const peer = this.clientFor(request.address);
    peer.calls++;
    try {
      options.signal?.throwIfAborted();
      const idleTimeoutMs = request.idleTimeoutMs ?? FETCH_IDLE_TIMEOUT_MS;
      const call = { jobId: request.jobId, dir: request.dir, partition: request.partition };
      const result = request.resultPath === undefined ? undefined : { jobId: request.jobId, path: request.resultPath };
      let ticket: FetchTicket__Output;
      try {
        ticket = await openFetch(peer.client, result ?? call, idleTimeoutMs, options.signal);
      } catch (err) {
        if ((err as grpc.ServiceError).code !== grpcLib().status.UNIMPLEMENTED) throw err;
        const streamOptions = { ...options, idleTimeoutMs };
        const bytes = result
          ? await streamCallToFile(() => peer.client.readResult(result), request.destination, streamOptions)
          : await streamPartitionToFile(peer.client, call, request.destination, streamOptions);
        return { kind: 'streamed', bytes };
      }
      return { kind: 'ticket', port: ticket.port, ticket: ticket.ticket, length: ticket.length };
    } catch (err) {
      // A peer that did not answer may be gone or cut off: the next fetch gets a fresh
      // channel rather than one waiting out its reconnect backoff (as each reduce attempt
      // had its own client before the daemon made the calls).
      if (isLinkFailure(err)) this.retire(request.address, peer);
      return failedAnswer(err);
    } finally {
      peer.calls--;
      if (peer.retired && peer.calls === 0) peer.client.close();
    }
  }

  /** Closes every client; fetches opened after this fail. */
  close(): void {
    this.closed = true;
    for (const peer of this.clients.values()) {
      peer.retired = true;
      if (peer.calls === 0) peer.client.close();
    }
    this.clients.clear();
  }

  private clientFor(address: string): PeerClient {
    let peer = this.clients.get(address);
    if (!peer) {
      peer = { client: createWorkerClient(address, this.security), calls: 0, retired: false };
      this.clients.set(address, peer);
    }
    return peer;
  }

  /** Forgets a peer's client; it closes once its calls under way are over. */
  private retire(address: string, peer: PeerClient): void {
    if (this.clients.get(address) === peer) this.clients.delete(address);
    peer.retired = true;
  }
}

/** A cached client of one peer, with the calls under way on it. */
interface PeerClient {
  readonly client: WorkerClient;
  calls: number;
  /** No longer handed out: closed when `calls` is back to 0. */
  retired: boolean;
}

/** An error of the link or of the peer's liveness, not an answer of its shuffle service. */
function isLinkFailure(err: unknown): boolean {
  const code = (err as Partial<grpc.ServiceError>).code;
  const status = grpcLib().status;
  return code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED || code === status.CANCELLED;
}

/**
 * OpenFetch (or, for a whole part file, OpenResultRead), ended by its deadline or by `signal`.
 */
function openFetch(
  client: WorkerClient,
  request: FetchPartitionRequest | ReadResultRequest,
  idleTimeoutMs: number,
  signal?: AbortSignal,
): Promise<FetchTicket__Output> {
  return new Promise<FetchTicket__Output>((resolve, reject) => {
    const options = { deadline: Date.now() + idleTimeoutMs };
    const done = (err: grpc.ServiceError | null, reply?: FetchTicket__Output): void => {
      signal?.removeEventListener('abort', cancel);
      if (err || !reply) reject(err ?? new Error('empty OpenFetch reply'));
      else resolve(reply);
    };
    const call =
      'path' in request ? client.openResultRead(request, options, done) : client.openFetch(request, options, done);
    const cancel = (): void => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
  });
}

/** The answer for a failed fetch: a local disk's failure says what failed to write, once. */
function failedAnswer(err: unknown): OpenFetchAnswer {
  if (err instanceof LocalWriteError)
    return { kind: 'failed', message: (err.cause as Error | undefined)?.message ?? err.message, local: true };
  const code = (err as Partial<grpc.ServiceError>).code;
  return {
    kind: 'failed',
    message: (err as Error).message ?? String(err),
    ...(typeof code === 'number' ? { code } : {}),
    local: false,
  };
}

/** Options of {@link streamPartitionToFile}. */
export interface StreamOptions extends PeerFetchOptions {
  /** Give up when nothing arrives for this long, ms. Default {@link FETCH_IDLE_TIMEOUT_MS}. */
  readonly idleTimeoutMs?: number;
}

/**
 * Streams one partition of a remote map output into a local file over gRPC (FetchPartition);
 * resolves with its size. Writes are asynchronous, one at a time, so the disk write of a chunk
 * overlaps receiving the next ones instead of blocking the event loop (gRPC keeps receiving
 * into the call's bounded buffer meanwhile, and pauses the stream when it is full).
 */
export function streamPartitionToFile(
  client: WorkerClient,
  request: FetchPartitionRequest,
  destination: string,
  options: StreamOptions = {},
): Promise<number> {
  return streamCallToFile(() => client.fetchPartition(request), destination, options);
}

/** Streams the DataChunks of a call (started by `start`) into a local file; resolves with its size. */
async function streamCallToFile(
  start: () => grpc.ClientReadableStream<DataChunk__Output>,
  destination: string,
  options: StreamOptions,
): Promise<number> {
  const idleTimeoutMs = options.idleTimeoutMs ?? FETCH_IDLE_TIMEOUT_MS;
  const onChunk = options.onChunk ?? (() => undefined);
  // The file is opened before the call starts: an error status that came in while the
  // open was awaited would find no reader yet and be lost (the stream would just end).
  const file = await fs.promises.open(destination, 'w').catch((err: unknown) => {
    throw new LocalWriteError(destination, err);
  });
  const call = start();
  const cancel = (): void => call.cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  if (options.signal?.aborted) call.cancel();
  // A cut link does not end a stream by itself: give up when the data stops coming.
  const idle = setTimeout(cancel, idleTimeoutMs);
  let writing: Promise<void> = Promise.resolve();
  let bytes = 0;
  try {
    for await (const chunk of call as AsyncIterable<DataChunk__Output>) {
      idle.refresh();
      await writing;
      // The time spent waiting for our own disk is not the sender's silence.
      idle.refresh();
      writing = writeFully(file, chunk.data, bytes).catch((err: unknown) => {
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
    options.signal?.removeEventListener('abort', cancel);
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
