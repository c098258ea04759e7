import { CHANNEL_OPTIONS } from './channel-options.js';
import { NO_SECURITY, channelCredentials, clientOptions } from './credentials.js';
import type { Security } from './credentials.js';
import type { MasterClient } from './generated/groove/Master';
import { grooveProto } from './load.js';

/** A gRPC client of the master at `address` (host:port), sending the cluster token and using TLS as configured. */
export function createMasterClient(address: string, security: Security = NO_SECURITY): MasterClient {
  const Ctor = grooveProto().groove.Master;
  return new Ctor(address, channelCredentials(security), clientOptions(security, CHANNEL_OPTIONS));
}
