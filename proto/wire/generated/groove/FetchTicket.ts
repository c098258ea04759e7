// Original file: proto/wire/groove.proto

import type { Long } from '@grpc/proto-loader';

export interface FetchTicket {
  'port'?: (number);
  'ticket'?: (Buffer | Uint8Array | string);
  'length'?: (number | string | Long);
}

export interface FetchTicket__Output {
  'port': (number);
  'ticket': (Buffer);
  'length': (number);
}
