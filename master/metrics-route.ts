import type * as http from 'node:http';
import type { Logger, MetricsSource } from '../common/index.js';
import { METRICS_PATH, serveMetrics } from '../proto/wire/index.js';

/** One route of the master's HTTP server: answers and returns true when the request is its own. */
export type HttpRoute = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

/**
 * `/metrics` on the master's HTTP port: the Prometheus text of the master's metrics, behind
 * the cluster token like the status pages (`Authorization: Bearer TOKEN` or `?token=TOKEN`).
 */
export function metricsRoute(metrics: MetricsSource, token: string | undefined, log: Logger): HttpRoute {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== METRICS_PATH) return false;
    serveMetrics(req, res, url, metrics, token, log);
    return true;
  };
}
