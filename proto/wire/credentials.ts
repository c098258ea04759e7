import { createHash, timingSafeEqual } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import type { Security } from '../../common/index.js';
import { grpcLib } from './grpc-lib.js';
import { isHealthMethod } from './health-service.js';

export type { Security };

/** No token, no TLS. */
export const NO_SECURITY: Security = {};

/** The metadata key that carries the token. */
export const TOKEN_METADATA_KEY = 'authorization';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time comparison of a presented token with the cluster's (hashing first evens out the lengths). */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token presented in call metadata, or undefined. */
export function presentedToken(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get(TOKEN_METADATA_KEY)[0];
  if (typeof value !== 'string') return undefined;
  const m = /^Bearer (.+)$/.exec(value);
  return m ? m[1] : undefined;
}

/**
 * A server interceptor that refuses every call without the cluster token with
 * UNAUTHENTICATED before its handler runs, so nothing is executed or stored for it.
 * It covers every method of every service on the server, including future ones, except
 * the standard health service's (health-service.ts): probes call it without a token, and
 * it tells only whether the server is serving.
 */
export function authInterceptor(token: string): grpc.ServerInterceptor {
  const check = tokenInterceptor(token);
  // Passed through untouched: the call as the next interceptor (or the handler) would see it.
  return (method, call) =>
    isHealthMethod(method.path) ? new (grpcLib().ServerInterceptingCall)(call) : check(method, call);
}

/** Refuses a call without the cluster token (see {@link authInterceptor}). */
function tokenInterceptor(token: string): grpc.ServerInterceptor {
  return (_method, call) =>
    new (grpcLib().ServerInterceptingCall)(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, mdNext) {
            const presented = presentedToken(metadata);
            if (presented !== undefined && tokenMatches(presented, token)) {
              mdNext(metadata);
            } else {
              call.sendStatus({
                code: grpcLib().status.UNAUTHENTICATED,
                details: presented === undefined ? 'a cluster token is required' : 'wrong cluster token',
              });
            }
          },
        });
      },
    });
}

/**
 * Server options: message limits plus the auth interceptor when a token is set; `inner`
 * interceptors go before it, so they see its refusals too (the RPC error metrics).
 */
export function serverOptions(
  security: Security,
  base: grpc.ServerOptions,
  inner: readonly grpc.ServerInterceptor[] = [],
): grpc.ServerOptions {
  const interceptors = [...inner, ...(security.token ? [authInterceptor(security.token)] : [])];
  return interceptors.length ? { ...base, interceptors } : base;
}

/** Server credentials: TLS when a certificate is given (mutual when a CA is given too). */
export function serverCredentials(security: Security): grpc.ServerCredentials {
  if (!security.tlsCert || !security.tlsKey) return grpcLib().ServerCredentials.createInsecure();
  const clientAuth = security.tlsCa !== undefined && security.tlsClientAuth !== false;
  return grpcLib().ServerCredentials.createSsl(
    clientAuth ? (security.tlsCa ?? null) : null,
    [{ cert_chain: security.tlsCert, private_key: security.tlsKey }],
    clientAuth,
  );
}

/** Channel credentials: TLS when a CA or certificate is given, presenting our certificate for mutual TLS. */
export function channelCredentials(security: Security): grpc.ChannelCredentials {
  if (!security.tlsCa && !security.tlsCert) return grpcLib().credentials.createInsecure();
  return grpcLib().credentials.createSsl(security.tlsCa ?? null, security.tlsKey ?? null, security.tlsCert ?? null);
}

/** Client options: the given ones plus an interceptor that sends the token with every call. */
export function clientOptions(security: Security, base: grpc.ChannelOptions): grpc.ClientOptions {
  const token = security.token;
  if (!token) return base;
  const withToken: grpc.Interceptor = (options, nextCall) =>
    new (grpcLib().InterceptingCall)(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set(TOKEN_METADATA_KEY, `Bearer ${token}`);
        next(metadata, listener);
      },
    });
  return { ...base, interceptors: [withToken] };
}
