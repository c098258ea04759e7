import { CHANNEL_OPTIONS } from './channel-options.js';
import { NO_SECURITY, channelCredentials, clientOptions } from './credentials.js';
import type { Security } from './credentials.js';
import type { WorkerClient } from './generated/groove/Worker';
import { grooveProto } from './load.js';

/**
 * A gRPC client of a worker's shuffle service at `address` (host:port): map outputs for the
 * daemons of reducers, part files for readers of results.
 */
export function createWorkerClient(address: string, security: Security = NO_SECURITY): WorkerClient {
  const Ctor = grooveProto().groove.Worker;
  return new Ctor(address, channelCredentials(security), clientOptions(security, CHANNEL_OPTIONS));
}
