import type * as Grpc from '@grpc/grpc-js';

let lib: typeof Grpc | undefined;

/**
 * grpc-js, loaded on first use rather than when proto/ is imported. Pool processes import
 * proto/ for the codecs; most of them (every map task, every reduce whose inputs are all
 * local) never open a connection, and loading grpc-js and the .proto loader would cost
 * each of them about 20 MB of RSS and 150 ms of start-up.
 */
export function grpcLib(): typeof Grpc {
  lib ??= require('@grpc/grpc-js') as typeof Grpc;
  return lib;
}
