import type * as http from 'node:http';
import { NotFoundError, UserError } from '../../common/index.js';
import type { Logger } from '../../common/index.js';
import { tokenMatches } from '../../proto/wire/index.js';
import { loadWebFiles } from './static-files.js';
import type { StaticFile, WebFiles } from './static-files.js';
import { apiAnswer } from './web-api.js';
import type { WebApiContext } from './web-api.js';
import { SESSION_COOKIE, SESSION_IDLE_MS, WebSessions, sessionCookie } from './web-sessions.js';

/** The largest login form body read, bytes (a token and a path). */
const MAX_LOGIN_BODY = 8192;

/** What the web UI needs of the master. */
export interface WebContext extends WebApiContext {
  /** The cluster token; undefined: the cluster has none and the UI is open like its RPCs. */
  readonly token: string | undefined;
  readonly log: Logger;
  /**
   * A job's task logs (of one task, or "" for all), read from its workers, for
   * `/api/jobs/ID/logs` (docs/logs.md); without it that path is not served.
   */
  readonly taskLogs?: (jobId: string, taskId: string) => Promise<unknown>;
}

/** How a request proved it may look: not at all, by the token itself (header or query), or by a session. */
type Proof = 'none' | 'header' | 'query' | 'session' | 'open';

/** Pages of the app (one HTML shell; the script reads the path). */
const PAGE = /^\/(?:jobs\/[^/]+(?:\/tasks\/[^/]+\/logs)?|workers\/[^/]+)?$/;

/** The one API path answered asynchronously: a job's task logs, read from its workers. */
const LOGS_API = /^\/api\/jobs\/([^/]+)\/logs$/;

/**
 * The master's web UI and JSON API on its --http-port (docs/web-ui.md). With a cluster
 * token nothing but the login form and the UI's own code answers without it; the token
 * is taken as `Authorization: Bearer`, as `?token=` (a page then sets a session and
 * drops it from the URL) or through the login form, which sets an HttpOnly, SameSite=Strict
 * cookie holding a random session id.
 */
export function createWebHandler(ctx: WebContext): http.RequestListener {
  const files = loadWebFiles();
  const sessions = new WebSessions();
  return (req, res) => {
    res.setHeader('content-security-policy', files.csp);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    res.setHeader('cache-control', 'no-store');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return text(res, 400, 'bad request path');
    }
    const asset = files.assets.get(url.pathname);
    if (asset && (req.method === 'GET' || req.method === 'HEAD')) return send(res, 200, asset);
    if (url.pathname === '/login') return login(ctx, files, sessions, req, res, url);
    if (url.pathname === '/logout' && req.method === 'POST') {
      sessions.end(sessionCookie(req.headers.cookie));
      return redirect(res, '/login', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed');
    const proof = proofOf(ctx, sessions, req, url);
    const isApi = url.pathname.startsWith('/api/');
    if (proof === 'none') {
      if (isApi || !PAGE.test(url.pathname))
        return json(res, 401, { error: 'a cluster token is required' }, { 'www-authenticate': 'Bearer' });
      return redirect(res, `/login?next=${encodeURIComponent(url.pathname)}`);
    }
    if (!isApi && proof === 'query') {
      // The token goes no further than this answer: the browser keeps a session, the URL loses the token.
      url.searchParams.delete('token');
      return redirect(res, url.pathname + url.search, sessionSetCookie(sessions.create()));
    }
    if (isApi) return api(ctx, res, url);
    if (PAGE.test(url.pathname)) return send(res, 200, files.appPage);
    return text(res, 404, 'not found');
  };
}

function proofOf(ctx: WebContext, sessions: WebSessions, req: http.IncomingMessage, url: URL): Proof {
  if (ctx.token === undefined) return 'open';
  const header = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (header !== undefined) return tokenMatches(header, ctx.token) ? 'header' : 'none';
  const query = url.searchParams.get('token');
  if (query !== null) return tokenMatches(query, ctx.token) ? 'query' : 'none';
  return sessions.check(sessionCookie(req.headers.cookie)) ? 'session' : 'none';
}

function api(ctx: WebContext, res: http.ServerResponse, url: URL): void {
  const logs = LOGS_API.exec(url.pathname);
  if (logs && ctx.taskLogs) {
    let jobId: string;
    try {
      jobId = decodeURIComponent(logs[1] as string);
    } catch {
      return json(res, 400, { error: 'bad escape in the path' });
    }
    ctx.taskLogs(jobId, url.searchParams.get('task') ?? '').then(
      (body) => json(res, 200, body),
      (err: unknown) => apiFailed(ctx, res, url, err),
    );
    return;
  }
  try {
    const body = apiAnswer(ctx, url.pathname, url.searchParams);
    if (body === undefined) return json(res, 404, { error: `no such API path: ${url.pathname}` });
    return json(res, 200, body);
  } catch (err) {
    return apiFailed(ctx, res, url, err);
  }
}

/** The answer to an API call that threw: 404 for what does not exist, 400 for a user's mistake, else 500. */
function apiFailed(ctx: WebContext, res: http.ServerResponse, url: URL, err: unknown): void {
  if (err instanceof NotFoundError) return json(res, 404, { error: err.message });
  if (err instanceof URIError) return json(res, 400, { error: 'bad escape in the path' });
  if (err instanceof UserError) return json(res, 400, { error: err.message });
  ctx.log.error('web API failed', { path: url.pathname, error: String(err), stack: (err as Error).stack });
  return json(res, 500, { error: 'internal error (see the master log)' });
}

/** Where to go after logging in: a path of this site only (never `//elsewhere`). */
function safeNext(next: string | null): string {
  return next && PAGE.test(next) ? next : '/';
}

function login(
  ctx: WebContext,
  files: WebFiles,
  sessions: WebSessions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): void {
  if (ctx.token === undefined) return redirect(res, safeNext(url.searchParams.get('next')));
  if (req.method === 'GET' || req.method === 'HEAD') return send(res, 200, files.loginPage);
  if (req.method !== 'POST') return text(res, 405, 'method not allowed');
  // A form posted from another site is refused (the cookie's SameSite=Strict guards the rest).
  if (!sameOrigin(req)) return text(res, 403, 'cross-site login refused');
  readBody(req, MAX_LOGIN_BODY)
    .then((body) => {
      const form = new URLSearchParams(body);
      const next = safeNext(form.get('next'));
      const token = form.get('token') ?? '';
      if (!tokenMatches(token, ctx.token as string)) {
        ctx.log.info('web login refused: wrong token', { from: req.socket.remoteAddress });
        return redirect(res, `/login?failed=1&next=${encodeURIComponent(next)}`);
      }
      redirect(res, next, sessionSetCookie(sessions.create()));
    })
    .catch((err: unknown) => text(res, 413, (err as Error).message));
}

/** Whether a form post came from this site's own pages (Sec-Fetch-Site where the browser sends it, else Origin). */
function sameOrigin(req: http.IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error(`login form over ${max} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sessionSetCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_IDLE_MS / 1000}`;
}

function send(res: http.ServerResponse, status: number, file: StaticFile): void {
  res.writeHead(status, { 'content-type': file.type, 'content-length': file.body.length });
  res.end(file.body);
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function text(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${body}\n`);
}

function redirect(res: http.ServerResponse, location: string, cookie?: string): void {
  res.writeHead(303, { location, ...(cookie ? { 'set-cookie': cookie } : {}) }).end();
}
