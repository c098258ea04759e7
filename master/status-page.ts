import * as http from 'node:http';
import type { HttpRoute } from './metrics-route.js';
import { createWebHandler } from './web/index.js';
import type { WebContext } from './web/index.js';

/**
 * The master's HTTP server on --http-port: the web UI and its JSON API (master/web/,
 * docs/web-ui.md), behind the cluster token like every RPC, and `/metrics` when the
 * master keeps metrics (metrics-route.ts, which checks the token itself).
 */
export function createStatusServer(ctx: WebContext, metrics?: HttpRoute): http.Server {
  const web = createWebHandler(ctx);
  return http.createServer((req, res) => {
    if (metrics?.(req, res)) return;
    web(req, res);
  });
}
