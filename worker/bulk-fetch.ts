import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Security } from '../proto/index.js';
import { TICKET_ACCEPTED } from './bulk-data-server.js';

/** The receive buffer of one connection: each socket read lands here, up to this many bytes. */
const READ_BYTES = 256 * 1024;

/** What to collect from a worker's bulk data port (see bulk-data-server.ts). */
export interface BulkTicket {
  /** The data host: the host of the worker's data address. */
  readonly host: string;
  readonly port: number;
  readonly ticket: Buffer;
  /** Bytes the server sends after accepting the ticket. */
  readonly length: number;
}

/** Options of {@link receiveToFile}. */
export interface ReceiveOptions {
  /** TLS when the gRPC channel would use it (a CA or a certificate is given), with the same material. */
  readonly security: Security;
  /** Called as received bytes reach the file. */
  readonly onWrite?: () => void;
  /** Give up when nothing arrives for this long, ms. */
  readonly idleTimeoutMs: number;
}

/**
 * Collects a ticket's bytes into `destination`; resolves once all `length` bytes are in
 * the file. Each socket read lands in one reused buffer (the socket's `onread`) and is
 * written to the file at once, synchronously: no buffer per read for the GC, no hop to
 * the thread pool per write. That is less than half the CPU per MB of handing the
 * socket's own buffers to asynchronous writes, and it stalls nothing: while a write runs
 * the kernel keeps receiving into the socket buffer, and a page-cache write of a read's
 * worth takes well under a millisecond. A connection that closes early, a refused ticket,
 * extra bytes or silence for idleTimeoutMs fail the fetch.
 */
export async function receiveToFile(source: BulkTicket, destination: string, options: ReceiveOptions): Promise<void> {
  const { host, port, length } = source;
  const peer = `${host}:${port}`;
  // Checked before anything is opened: net.connect throws on a bad port.
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${host} gave a fetch ticket for port ${port}`);
  if (!Number.isSafeInteger(length) || length < 0) throw new Error(`${peer} gave a fetch ticket for ${length} bytes`);
  const fd = fs.openSync(destination, 'w');
  return new Promise<void>((resolve, reject) => {
    let accepted = false;
    let received = 0;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      socket.destroy();
      try {
        fs.closeSync(fd);
      } catch (closeErr) {
        err ??= closeErr as Error;
      }
      if (err) reject(err);
      else resolve();
    };
    const onIdle = (): void => finish(new Error(`no data from ${peer} for ${options.idleTimeoutMs} ms (fetch cancelled after ${received} of ${length} bytes)`));
    let idle = setTimeout(onIdle, options.idleTimeoutMs);

    const onRead = (nread: number, buf: Uint8Array): boolean => {
      if (settled) return false;
      // The time spent in our own disk writes is not the sender's silence: restarted after them.
      clearTimeout(idle);
      let start = 0;
      if (!accepted) {
        if (buf[0] !== TICKET_ACCEPTED) {
          finish(new Error(`${peer} refused the fetch ticket`));
          return false;
        }
        accepted = true;
        start = 1;
      }
      const n = nread - start;
      if (received + n > length) {
        finish(new Error(`${peer} sent more than the ${length} bytes asked for`));
        return false;
      }
      try {
        let done = 0;
        while (done < n) done += fs.writeSync(fd, buf, start + done, n - done, received + done);
      } catch (err) {
        finish(err as Error);
        return false;
      }
      received += n;
      options.onWrite?.();
      if (received === length) {
        finish();
        return false;
      }
      idle = setTimeout(onIdle, options.idleTimeoutMs);
      return true;
    };
    const onread: net.OnReadOpts = { buffer: Buffer.allocUnsafeSlow(READ_BYTES), callback: onRead };
    const security = options.security;
    const useTls = Boolean(security.tlsCa || security.tlsCert);
    // tls.connect takes `onread` too (Node >= 14.18), though its typings do not say so.
    const tlsOptions: tls.ConnectionOptions & { onread: net.OnReadOpts } = { host, port, ca: security.tlsCa, cert: security.tlsCert, key: security.tlsKey, servername: net.isIP(host) ? undefined : host, onread };
    const socket = useTls ? tls.connect(tlsOptions) : net.connect({ host, port, onread });
    socket.once(useTls ? 'secureConnect' : 'connect', () => socket.write(source.ticket));
    socket.on('error', (err: Error) => finish(new Error(`${peer}: ${err.message}`)));
    socket.on('close', () =>
      finish(new Error(accepted ? `${peer} closed the connection after ${received} of ${length} bytes` : `${peer} closed the connection without accepting the fetch ticket`)),
    );
  });
}
