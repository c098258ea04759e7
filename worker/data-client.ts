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

/** Streams one partition of a remote map output into a local file; resolves with its size. */
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
  const fd = fs.openSync(destination, 'w');
  let bytes = 0;
  try {
    for await (const chunk of call as AsyncIterable<DataChunk__Output>) {
      clearTimeout(idle);
      idle = setTimeout(() => call.cancel(), idleTimeoutMs);
      fs.writeSync(fd, chunk.data);
      bytes += chunk.data.length;
      onChunk();
    }
  } finally {
    clearTimeout(idle);
    fs.closeSync(fd);
  }
  return bytes;
}
