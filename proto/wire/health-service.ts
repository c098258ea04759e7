import type * as grpc from '@grpc/grpc-js';
import type * as HealthCheck from 'grpc-health-check';

/** The standard health service's full name (grpc.health.v1, health.proto). */
export const HEALTH_SERVICE = 'grpc.health.v1.Health';

/**
 * The health service's methods, by path. They answer without the cluster token (a
 * Kubernetes probe sends none, and they tell only SERVING or NOT_SERVING): the auth
 * interceptor lets exactly these through, nothing else.
 */
const HEALTH_METHOD_PATHS: ReadonlySet<string> = new Set(
  ['Check', 'Watch', 'List'].map((m) => `/${HEALTH_SERVICE}/${m}`),
);

/** True for a method of the health service (a path as grpc-js gives it: `/package.Service/Method`). */
export function isHealthMethod(path: string): boolean {
  return HEALTH_METHOD_PATHS.has(path);
}

/**
 * The grpc.health.v1 service of one server: the overall service `""` and each named one
 * (`groove.Master`, `groove.Worker`) answer SERVING until {@link HealthService.setServing}
 * says otherwise (a draining worker).
 */
export class HealthService {
  private readonly impl: HealthCheck.HealthImplementation;

  /** Adds the service to `server` (before it binds), every name SERVING. */
  constructor(
    server: grpc.Server,
    private readonly services: readonly string[],
  ) {
    // Loaded here, not at import (it loads its .proto on import): only daemons serve it.
    const lib = require('grpc-health-check') as typeof HealthCheck;
    this.impl = new lib.HealthImplementation(Object.fromEntries(['', ...services].map((s) => [s, 'SERVING'])));
    this.impl.addToServer(server);
  }

  /** Sets every name, the overall one included, to SERVING or NOT_SERVING (watchers are told). */
  setServing(serving: boolean): void {
    for (const s of ['', ...this.services]) this.impl.setStatus(s, serving ? 'SERVING' : 'NOT_SERVING');
  }
}
