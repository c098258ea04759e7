import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../common/index.js';
import type { Logger, MetricsSource } from '../common/index.js';
import { METRICS_PATH, serveMetrics } from '../proto/wire/index.js';

/**
 * A worker's HTTP server (`mr worker --http-port`): `/metrics` only, behind the cluster
 * token like everything else, bound to the worker's --host. Resolves once listening, with
 * the port it got (0 asks for a free one).
 */
export async function startWorkerHttp(
  host: string,
  port: number,
  metrics: MetricsSource,
  token: string | undefined,
  log: Logger,
): Promise<{ readonly server: http.Server; readonly port: number }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === METRICS_PATH) serveMetrics(req, res, url, metrics, token, log);
    else res.writeHead(404).end('not found\n');
  });
  const bound = await new Promise<number>((resolve, reject) => {
    // A port taken or not allowed is the user's to fix: one line naming the flag, exit 1 (the
    // command line itself was fine: a usage error, exit 2, starts with the flag).
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new UserError(`cannot listen on ${host}:${port} for --http-port (${err.code ?? err.message})`, { cause: err }),
      ),
    );
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
  return { server, port: bound };
}

/** Stops a server from {@link startWorkerHttp}, cutting open connections. */
export async function stopWorkerHttp(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
