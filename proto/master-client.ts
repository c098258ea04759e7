import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS } from './channel-options.js';
import type { MasterClient } from './generated/groove/Master';
import { grooveProto } from './load.js';

/** A gRPC client of the master at `address` (host:port). */
export function createMasterClient(address: string): MasterClient {
  const Ctor = grooveProto().groove.Master;
  return new Ctor(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
}
