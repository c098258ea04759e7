import * as fs from 'node:fs';
import { CHANNEL_OPTIONS, channelCredentials, clientOptions, grooveProto, NO_SECURITY } from '../proto/index.js';
import type { DataChunk__Output, Security, WorkerClient } from '../proto/index.js';

/** A client of a worker's data service (map outputs for reducers, part files for readers). */
export function createWorkerClient(address: string, security: Security = NO_SECURITY): WorkerClient {
  const Ctor = grooveProto().groove.Worker;
  return new Ctor(address, channelCredentials(security), clientOptions(security, CHANNEL_OPTIONS));
}

/** A fetch that receives nothing for this long is abandoned: its worker is presumed gone. */
export const FETCH_IDLE_TIMEOUT_MS = 10_000;

/**
 * Streams one partition of a remote map output into a local file; resolves with its size.
 * Writes are asynchronous, one at a time, so the disk write of a chunk overlaps receiving
 * the next ones instead of blocking the event loop (gRPC keeps receiving into the call's
 * bounded buffer meanwhile, and pauses the stream when it is full).
 */
export async function fetchPartitionToFile(
  client: WorkerClient,
  request: { jobId: string; dir: string; partition: number },
  destination: string,
  onChunk: () => void = () => undefined,
  idleTimeoutMs = FETCH_IDLE_TIMEOUT_MS,
): Promise<number> {
  const call = client.fetchPartition(request);
  // A cut link does not end a stream by itself: give up when the data stops coming.
  let idle = setTimeout(() => call.cancel(), idleTimeoutMs);
  const restartIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => call.cancel(), idleTimeoutMs);
  };
  let file: fs.promises.FileHandle | undefined;
  let writing: Promise<void> = Promise.resolve();
  let bytes = 0;
  try {
    file = await fs.promises.open(destination, 'w');
    const out = file;
    for await (const chunk of call as AsyncIterable<DataChunk__Output>) {
      restartIdle();
      await writing;
      // The time spent waiting for our own disk is not the sender's silence.
      restartIdle();
      writing = writeFully(out, chunk.data, bytes);
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
    await file?.close();
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
