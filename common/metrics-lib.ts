import type * as PromClient from 'prom-client';

let lib: typeof PromClient | undefined;

/**
 * prom-client, loaded on first use: only a master or worker that serves metrics (one given
 * an HTTP port) needs it, and loading it costs every `mr` command and embedded cluster
 * (`mr run`) about 100 ms of start-up it would never use.
 */
export function promClient(): typeof PromClient {
  lib ??= require('prom-client') as typeof PromClient;
  return lib;
}

/** What the /metrics endpoint reads: a prom-client registry, or anything as good. */
export interface MetricsSource {
  /** The Prometheus text format of every metric. */
  metrics(): Promise<string>;
  /** Its content type (with the format's version). */
  readonly contentType: string;
}
