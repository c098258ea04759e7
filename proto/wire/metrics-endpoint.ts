import type * as http from 'node:http';
import type { Logger, MetricsSource } from '../../common/index.js';
import { tokenMatches } from './credentials.js';

/** The path Prometheus scrapes, on the master's and on a worker's HTTP port. */
export const METRICS_PATH = '/metrics';

/**
 * Whether an HTTP request carries the cluster token, as `Authorization: Bearer TOKEN` or
 * `?token=TOKEN` (Prometheus sends the first with `authorization.credentials_file`).
 * Without a cluster token every request is let in, like the RPCs.
 */
export function httpTokenAccepted(req: http.IncomingMessage, url: URL, token: string | undefined): boolean {
  if (!token) return true;
  const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const presented = header ?? url.searchParams.get('token') ?? undefined;
  return presented !== undefined && tokenMatches(presented, token);
}

/**
 * Answers a request for {@link METRICS_PATH}: 405 for anything but GET or HEAD, 401 without
 * the cluster token, else the metrics in the Prometheus text format.
 */
export function serveMetrics(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  metrics: MetricsSource,
  token: string | undefined,
  log: Logger,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (!httpTokenAccepted(req, url, token)) {
    res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('a cluster token is required\n');
    return;
  }
  metrics.metrics().then(
    (text) => {
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
    (err: unknown) => {
      log.warn('could not collect the metrics', { error: (err as Error).message });
      res.writeHead(500).end('could not collect the metrics\n');
    },
  );
}
