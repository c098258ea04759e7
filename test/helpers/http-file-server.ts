/**
 * A real node:http (or https) server on 127.0.0.1, port 0, that serves the files of one
 * directory the way web servers do, for the http(s) input tests: HEAD and GET, with or
 * without range support (`Accept-Ranges: bytes`, single `Range: bytes=a-b` answered by
 * 206), with or without Content-Length, `/redirect/NAME` answered by a 302 to `/NAME`,
 * and a hook that may fail any request. It records every request it answered.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/** One answered request. */
export interface ServedRequest {
  readonly method: string;
  readonly path: string;
  readonly range: string | undefined;
  readonly status: number;
}

/** What the hook decides for one request: serve it, answer a status, or reset the connection after some body bytes. */
export type FailureDecision =
  undefined | { readonly status: number } | { readonly resetAfterBytes: number } | { readonly stall: true };

/** Options of {@link startFileServer}. */
export interface FileServerOptions {
  /** Honour Range and say `Accept-Ranges: bytes`. Default true. */
  readonly ranges?: boolean;
  /** Send Content-Length (else the body is chunked, the size unknown). Default true. */
  readonly contentLength?: boolean;
  /** TLS: PEM file paths of the server's certificate and key. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Called for every request (the n-th overall, from 0) before it is served. */
  readonly fail?: (req: http.IncomingMessage, n: number) => FailureDecision;
}

/** A started server. */
export interface FileServer {
  /** `http://127.0.0.1:PORT` (or https). */
  readonly base: string;
  readonly requests: ServedRequest[];
  close(): Promise<void>;
}

/** `bytes=a-b` or `bytes=a-` as [a, b] inclusive, clipped to `size`; undefined when not one range we serve. */
function parseRange(header: string, size: number): [number, number] | undefined {
  const m = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return a <= b ? [a, b] : undefined;
}

/** Starts a server for the files of `dir`. */
export async function startFileServer(dir: string, options: FileServerOptions = {}): Promise<FileServer> {
  const requests: ServedRequest[] = [];
  let n = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const range = req.headers.range;
    const done = (status: number): void =>
      void requests.push({ method: req.method ?? '', path: urlPath, range, status });
    const decision = options.fail?.(req, n++);
    if (decision && 'status' in decision) {
      done(decision.status);
      res.writeHead(decision.status).end('failed on purpose\n');
      return;
    }
    if (decision && 'stall' in decision) {
      done(0); // never answered: the client's time limit must end it
      return;
    }
    if (urlPath.startsWith('/redirect/')) {
      done(302);
      res.writeHead(302, { location: `/${urlPath.slice('/redirect/'.length)}` }).end();
      return;
    }
    const file = path.join(dir, urlPath);
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      done(404);
      res.writeHead(404).end('no such file\n');
      return;
    }
    const body = fs.readFileSync(file);
    const ranges = options.ranges !== false;
    const r = ranges && range !== undefined ? parseRange(range, body.length) : undefined;
    if (ranges && range !== undefined && r === undefined) {
      done(416);
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    const part = r ? body.subarray(r[0], r[1] + 1) : body;
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/plain' };
    if (ranges) headers['accept-ranges'] = 'bytes';
    if (r) headers['content-range'] = `bytes ${r[0]}-${r[1]}/${body.length}`;
    if (options.contentLength !== false) headers['content-length'] = part.length;
    const status = r ? 206 : 200;
    done(status);
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (decision && 'resetAfterBytes' in decision) {
      res.write(part.subarray(0, decision.resetAfterBytes), () => res.socket?.destroy());
      return;
    }
    res.end(part);
  };
  const server = options.tls
    ? https.createServer({ cert: fs.readFileSync(options.tls.cert), key: fs.readFileSync(options.tls.key) }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
