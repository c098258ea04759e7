import * as path from 'node:path';
import type * as ProtoLoader from '@grpc/proto-loader';
import { grpcLib } from './grpc-lib.js';
import type { ProtoGrpcType } from './generated/groove';

/** Where groove.proto lives, from both the sources and the compiled dist/ tree. */
const PROTO_PATH = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../proto/wire' : '.',
  'groove.proto',
);

let loaded: ProtoGrpcType | undefined;

/**
 * The typed gRPC package for groove.proto, loaded once per process. Options match
 * `npm run proto` (longs as numbers, enums as strings, defaults filled, oneof names set)
 * so the generated `__Output` types describe exactly what handlers receive.
 */
export function grooveProto(): ProtoGrpcType {
  if (!loaded) {
    // Loaded here, not at import: see grpc-lib.ts.
    const protoLoader = require('@grpc/proto-loader') as typeof ProtoLoader;
    const definition = protoLoader.loadSync(PROTO_PATH, {
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    loaded = grpcLib().loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  }
  return loaded;
}
