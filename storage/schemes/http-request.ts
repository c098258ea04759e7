/**
 * One HTTP(S) request of the http backend, through Node's own client: redirects followed
 * (a bounded number), a time limit on every request, TLS verified against the default
 * roots plus the CA `--ca` added, and every failure turned into an {@link HttpInputError}
 * that names the URL and says whether trying again may help.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { GrooveError } from '../../common/index.js';

/** Redirects followed before a request fails (curl's default is 50, browsers 20; 5 is plenty for a file). */
export const MAX_REDIRECTS = 5;

/**
 * No byte for this long (connecting, waiting for the headers, or between two pieces of
 * the body) fails the request: a stalled server costs a task this much, not forever.
 */
export const HTTP_TIMEOUT_MS = 30_000;

/** Node's codes of network failures worth another try (the server or the path may be back). */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * A failed request of an http(s) input: the message names the URL (`input URL: HTTP 404
 * Not Found`). `code` follows the storage seam's habit (ENOENT for 404 and 410, EACCES for
 * 401 and 403) so callers tell "not there" and "not allowed" apart whatever the backend.
 */
export class HttpInputError extends GrooveError {
  constructor(
    readonly url: string,
    what: string,
    /** True when another try may succeed: 5xx, 408, 429, a reset, refused or timed out connection. */
    readonly transient: boolean,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(`input ${url}: ${what}`, options);
  }
}

/** The error of a response whose status is not what was asked for. */
export function statusError(url: string, res: http.IncomingMessage): HttpInputError {
  const status = res.statusCode ?? 0;
  const code = status === 404 || status === 410 ? 'ENOENT' : status === 401 || status === 403 ? 'EACCES' : undefined;
  const transient = status >= 500 || status === 408 || status === 429;
  return new HttpInputError(url, `HTTP ${status} ${res.statusMessage ?? ''}`.trim(), transient, status, code);
}

/** TLS verification failures: no retry helps, a CA might (the hint says which option). */
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|HOSTNAME|ALTNAME/;

/** A network or TLS failure of a request to `url`, as an {@link HttpInputError}. */
export function networkError(url: string, err: unknown): HttpInputError {
  if (err instanceof HttpInputError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined && TLS_CODES.test(code)) {
    return new HttpInputError(
      url,
      `TLS: ${e.message} (${code}; a server certificate from a private CA needs --ca FILE)`,
      false,
      undefined,
      code,
      { cause: err },
    );
  }
  const transient = code === undefined || TRANSIENT_CODES.has(code);
  return new HttpInputError(
    url,
    `${e.message}${code && !e.message.includes(code) ? ` (${code})` : ''}`,
    transient,
    undefined,
    code,
    {
      cause: err,
    },
  );
}

/** The extra CA (PEM) trusted for https inputs besides the default roots, and the agents built for it. */
let trustedCa: string | undefined;
let agents = makeAgents(undefined);

function makeAgents(ca: string | undefined): { http: http.Agent; https: https.Agent } {
  return {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true, ...(ca === undefined ? {} : { ca: [...tls.rootCertificates, ca] }) }),
  };
}

/**
 * Trusts the CA certificates in `pem` for https inputs, on top of the default roots (not
 * instead of them), in this process: `--ca` of `mr master`, `mr worker` and `mr run`; a
 * worker daemon hands it to its pool processes with each task. `undefined`: the default roots only.
 */
export function setHttpTrustedCa(pem: string | undefined): void {
  if (pem === trustedCa) return;
  trustedCa = pem;
  const old = agents;
  agents = makeAgents(pem);
  old.http.destroy();
  old.https.destroy();
}

/** The CA set by {@link setHttpTrustedCa}, if any. */
export function httpTrustedCa(): string | undefined {
  return trustedCa;
}

/** What {@link httpRequest} sends. */
export interface HttpRequestOptions {
  readonly method: 'GET' | 'HEAD';
  readonly headers?: Readonly<Record<string, string>>;
  /** See {@link HTTP_TIMEOUT_MS} (the default). */
  readonly timeoutMs?: number;
}

/** A response with its final URL (after redirects); the body is unread. */
export interface HttpResponse {
  readonly res: http.IncomingMessage;
  readonly finalUrl: string;
}

/**
 * Sends one request, following up to {@link MAX_REDIRECTS} redirects (301, 302, 303, 307,
 * 308; the method stays GET or HEAD), and resolves with the first response that is not a
 * redirect, whatever its status. The request's time limit stays on the socket while the
 * caller reads the body. Rejects with an {@link HttpInputError} naming `url`.
 */
export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(url, current, options);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (![301, 302, 303, 307, 308].includes(status) || location === undefined) return { res, finalUrl: current };
    res.resume(); // the body of a redirect is not wanted, and its socket can serve the next request
    if (hop >= MAX_REDIRECTS) throw new HttpInputError(url, `more than ${MAX_REDIRECTS} redirects`, false, status);
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      throw new HttpInputError(url, `redirected to ${next.protocol} URL ${next.href}, not http(s)`, false, status);
    current = next.href;
  }
}

function requestOnce(url: string, current: string, options: HttpRequestOptions): Promise<http.IncomingMessage> {
  const target = new URL(current);
  const secure = target.protocol === 'https:';
  const send = secure ? https.request : http.request;
  const timeoutMs = options.timeoutMs ?? HTTP_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const req = send(target, {
      method: options.method,
      headers: { 'accept-encoding': 'identity', ...options.headers },
      agent: secure ? agents.https : agents.http,
    });
    req.setTimeout(timeoutMs, () => {
      const err = Object.assign(new Error(`no answer for ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
      req.destroy(err);
    });
    req.on('error', (err) => reject(networkError(url, err)));
    req.on('response', resolve);
    req.end();
  });
}

/** Tries of one request when it fails transiently: the first and two more. */
export const HTTP_TRIES = 3;

/** Waits before the second and third try, ms: a restarting server or a busy one gets a moment. */
const RETRY_DELAYS_MS = [200, 1000];

/**
 * Runs `attempt` up to {@link HTTP_TRIES} times while it fails with a transient
 * {@link HttpInputError}; then, or at once for any other failure, rejects with the last
 * error. Bounded: at most HTTP_TRIES requests, each under its own time limit.
 */
export async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof HttpInputError) || !err.transient || i + 1 >= HTTP_TRIES) throw err;
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[i] ?? 1000));
    }
  }
}
