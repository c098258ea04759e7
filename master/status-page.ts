import * as http from 'node:http';
import { createWebHandler } from './web/index.js';
import type { WebContext } from './web/index.js';

/**
 * The master's HTTP server on --http-port: the web UI and its JSON API (master/web/,
 * docs/web-ui.md), behind the cluster token like every RPC.
 */
export function createStatusServer(ctx: WebContext): http.Server {
  return http.createServer(createWebHandler(ctx));
}
