import * as fs from 'node:fs';
import { GrooveError } from '../../../common/index.js';
import type { Security } from '../../../common/index.js';
import { FETCH_IDLE_TIMEOUT_MS } from '../open-fetch.js';
import type { FetchOpener, OpenFetchRequest } from '../open-fetch.js';
import { receiveToFile } from './bulk-receive.js';
import { LocalWriteError } from '../../local-write-error.js';

/** Options of {@link fetchPartitionToFile}. */
export interface FetchOptions {
  /** Token and TLS material: the bulk port speaks TLS when the cluster's gRPC does. */
  readonly security: Security;
  /** Called as data reaches the file. */
  readonly onChunk?: () => void;
}

/** A failed fetch, with the gRPC status of the call that failed when there was one. */
export class FetchCallError extends GrooveError {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

/**
 * Fetches one partition of a remote map output into `request.destination`; resolves with
 * its size. The daemon asks the peer's shuffle service for a ticket (OpenFetch: the request
 * is checked and authenticated there), and this process collects the bytes from the peer's
 * bulk port; for a peer without one the daemon has streamed them into the file already.
 * Rejects with a {@link LocalWriteError} when this worker's disk failed, else with the
 * peer's or the link's error.
 */
export async function fetchPartitionToFile(
  open: FetchOpener,
  request: OpenFetchRequest,
  options: FetchOptions,
): Promise<number> {
  const idleTimeoutMs = request.idleTimeoutMs ?? FETCH_IDLE_TIMEOUT_MS;
  const destination = request.destination;
  const answer = await open(request);
  if (answer.kind === 'failed') {
    if (answer.local) throw new LocalWriteError(destination, new Error(answer.message));
    throw new FetchCallError(answer.message, answer.code);
  }
  if (answer.kind === 'streamed') return answer.bytes;
  if (answer.length === 0) {
    try {
      fs.writeFileSync(destination, '');
    } catch (err) {
      throw new LocalWriteError(destination, err);
    }
    return 0;
  }
  const host = hostOf(request.address);
  const ticket = { host, port: answer.port, ticket: answer.ticket, length: answer.length };
  await receiveToFile(ticket, destination, { security: options.security, onWrite: options.onChunk, idleTimeoutMs });
  return answer.length;
}

/** The host of `host:port` or `[v6]:port`. */
function hostOf(address: string): string {
  const colon = address.lastIndexOf(':');
  const host = colon < 0 ? address : address.slice(0, colon);
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
