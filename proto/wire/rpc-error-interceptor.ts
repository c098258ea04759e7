import type * as grpc from '@grpc/grpc-js';
import { grpcLib } from './grpc-lib.js';

/** Called once per call that ended with a status other than OK: its method (`groove.Master/SubmitJob`) and code name. */
export type RpcErrorSink = (method: string, code: string) => void;

/**
 * A server interceptor that reports every call ending in an error status, by method and
 * code, for the metrics. Placed before the auth interceptor, it sees that one's refusals
 * (UNAUTHENTICATED) too. It costs one wrapper per call, nothing per message.
 */
export function rpcErrorInterceptor(sink: RpcErrorSink): grpc.ServerInterceptor {
  const lib = grpcLib();
  const names = new Map<number, string>(
    Object.entries(lib.status)
      .filter((e): e is [string, number] => typeof e[1] === 'number')
      .map(([name, code]) => [code, name]),
  );
  return (method, call) => {
    const name = method.path.startsWith('/') ? method.path.slice(1) : method.path;
    return new lib.ServerInterceptingCall(call, {
      sendStatus(status, next) {
        if (status.code !== lib.status.OK) sink(name, names.get(status.code) ?? String(status.code));
        next(status);
      },
    });
  };
}
