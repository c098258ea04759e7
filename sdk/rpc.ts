import * as grpc from '@grpc/grpc-js';
import { MasterUnavailableError, NotFoundError, RequestRejectedError } from '../common/index.js';

/** Codes that mean "nobody answered", as opposed to "the server said no". */
const UNREACHABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]);

/** Turns a gRPC error into a Groove error at the RPC boundary. */
export function fromServiceError(err: unknown, address: string): Error {
  const e = err as Partial<grpc.ServiceError>;
  if (typeof e.code === 'number' && UNREACHABLE.has(e.code)) return new MasterUnavailableError(address, { cause: err });
  if (e.code === grpc.status.UNAUTHENTICATED) {
    return new RequestRejectedError(
      `${address} refused the request: ${e.details || 'unauthenticated'} (give the cluster token with --token-file or MR_TOKEN_FILE)`,
      { cause: err },
    );
  }
  if (e.code === grpc.status.NOT_FOUND) return new NotFoundError(e.details || e.message || 'not found', { cause: err });
  if (typeof e.code === 'number')
    return new RequestRejectedError(e.details || e.message || 'request refused', { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/** Calls a callback-style unary method as a promise, with a deadline. */
export function callUnary<Res>(
  address: string,
  invoke: (options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
  timeoutMs = 60_000,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    invoke({ deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err) reject(fromServiceError(err, address));
      else resolve(res as Res);
    });
  });
}
