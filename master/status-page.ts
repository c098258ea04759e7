import * as http from 'node:http';
import { tokenMatches } from '../proto/wire/index.js';
import type { JobManager } from './job-manager.js';
import type { HttpRoute } from './metrics-route.js';
import { toJobStatus } from './job-status.js';
import type { WorkerRegistry } from './worker-registry.js';

/** Escapes text for HTML: job names, errors and counters are user data. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A read-only HTTP view of the cluster: `/` is a page for people, `/api/jobs` and
 * `/api/workers` are JSON. It serves GET only and changes nothing. With a cluster token
 * it asks for it (`Authorization: Bearer TOKEN`, or `?token=TOKEN`).
 */
export function createStatusServer(
  jobs: JobManager,
  workers: WorkerRegistry,
  token: string | undefined,
  metrics?: HttpRoute,
): http.Server {
  return http.createServer((req, res) => {
    // /metrics has its own file (metrics-route.ts), and checks the token itself.
    if (metrics?.(req, res)) return;
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    // With a cluster token, the page is as closed as the RPCs: job names and errors are user data.
    if (token) {
      const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const presented = header ?? url.searchParams.get('token') ?? undefined;
      if (presented === undefined || !tokenMatches(presented, token)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('a cluster token is required\n');
        return;
      }
    }
    if (url.pathname === '/api/jobs') return json(res, jobs.list().map(toJobStatus));
    if (url.pathname === '/api/workers') {
      return json(
        res,
        workers.all().map((w) => ({
          id: w.id,
          dataAddress: w.dataAddress,
          slots: w.slots,
          running: w.running.size,
          state: w.state,
        })),
      );
    }
    if (url.pathname !== '/') {
      res.writeHead(404).end('not found');
      return;
    }
    const rows = jobs
      .list()
      .map(
        (j) =>
          `<tr><td>${escapeHtml(j.id)}</td><td>${escapeHtml(j.state)}</td><td>${j.mapsDone}/${j.maps.length}</td><td>${j.reducesDone}/${j.reduces.length}</td><td>${escapeHtml(j.error)}</td></tr>`,
      )
      .join('');
    const ws = workers
      .all()
      .map(
        (w) =>
          `<tr><td>${escapeHtml(w.id)}</td><td>${escapeHtml(w.dataAddress)}</td><td>${escapeHtml(w.state)}</td><td>${w.running.size}/${w.slots}</td></tr>`,
      )
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><meta charset="utf-8"><title>Groove</title><h1>Groove</h1>` +
        `<h2>Jobs</h2><table><tr><th>job</th><th>state</th><th>maps</th><th>reduces</th><th>error</th></tr>${rows}</table>` +
        `<h2>Workers</h2><table><tr><th>worker</th><th>address</th><th>state</th><th>running</th></tr>${ws}</table>`,
    );
  });
}

function json(res: http.ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
