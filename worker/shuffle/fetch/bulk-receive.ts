import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Security } from '../../../common/index.js';
import { TICKET_ACCEPTED } from '../bulk-protocol.js';
import { BlockFileWriter } from './block-file-writer.js';
import { LocalWriteError } from '../../local-write-error.js';

/** What to collect from a worker's bulk port (see serve/bulk-server.ts). */
export interface BulkTicket {
  /** The host of the worker's shuffle service address. */
  readonly host: string;
  readonly port: number;
  readonly ticket: Uint8Array;
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
 * the file. The socket reads straight into the aligned blocks of a {@link BlockFileWriter}
 * (the socket's `onread` with a buffer per read), which writes each full block on the
 * thread pool, around the page cache where it can, while the next one fills: no buffer
 * per read for the GC, no copy between the socket and the file. When the writes fall
 * behind, the socket pauses until one completes. A connection that closes early, a
 * refused ticket, extra bytes or silence for idleTimeoutMs fail the fetch.
 */
export async function receiveToFile(source: BulkTicket, destination: string, options: ReceiveOptions): Promise<void> {
  const { host, port, length } = source;
  const peer = `${host}:${port}`;
  checkTicket(source);
  let writer: BlockFileWriter;
  try {
    writer = BlockFileWriter.create(destination);
  } catch (err) {
    throw new LocalWriteError(destination, err);
  }
  // The file's errors are this worker's, not the sender's: marked so, they fail the fetch as a local fault.
  const local = (err: unknown): LocalWriteError => new LocalWriteError(destination, err);
  return new Promise<void>((resolve, reject) => {
    let accepted = false;
    let received = 0;
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      socket.destroy();
      settleWriter(writer, err, local).then(resolve, reject);
    };
    const onIdle = (): void =>
      finish(
        new Error(
          `no data from ${peer} for ${options.idleTimeoutMs} ms (fetch cancelled after ${received} of ${length} bytes)`,
        ),
      );
    const idle = setTimeout(onIdle, options.idleTimeoutMs);
    // Reads resume once a block write completes; our own disk is not the sender's silence.
    writer.onDrain = () => {
      if (settled) return;
      idle.refresh();
      socket.resume();
    };

    const onRead = (nread: number, buf: Uint8Array): boolean => {
      if (settled) return false;
      idle.refresh();
      let n = nread;
      if (!accepted) {
        if (buf[0] !== TICKET_ACCEPTED) {
          finish(new Error(`${peer} refused the fetch ticket`));
          return false;
        }
        accepted = true;
        // The status byte landed where the data goes: move the data over it (once per fetch).
        buf.copyWithin(0, 1, nread);
        n = nread - 1;
      }
      if (received + n > length) {
        finish(new Error(`${peer} sent more than the ${length} bytes asked for`));
        return false;
      }
      writer.advance(n);
      received += n;
      options.onWrite?.();
      if (writer.error) {
        finish(local(writer.error));
        return false;
      }
      if (received === length) {
        finish();
        return false;
      }
      // false pauses the socket until onDrain.
      return !writer.congested;
    };
    const onread: net.OnReadOpts = { buffer: () => writer.space(), callback: onRead };
    const socket = connectBulk(source, options.security, onread);
    socket.on('error', (err: Error) => finish(new Error(`${peer}: ${err.message}`)));
    socket.on('close', () =>
      finish(
        new Error(
          accepted
            ? `${peer} closed the connection after ${received} of ${length} bytes`
            : `${peer} closed the connection without accepting the fetch ticket`,
        ),
      ),
    );
  });
}

/** Settles the file of a fetch that ended: destroyed after a failure (whose error stands), closed after a success. */
function settleWriter(writer: BlockFileWriter, err: Error | undefined, local: (e: unknown) => Error): Promise<void> {
  if (err)
    return writer.destroy().then(
      () => Promise.reject(err),
      () => Promise.reject(err),
    );
  return writer.close().then(
    () => undefined,
    (closeErr: unknown) => Promise.reject(local(closeErr)),
  );
}

/** Refuses a ticket no server could have meant, before anything is opened: net.connect throws on a bad port. */
function checkTicket({ host, port, length }: BulkTicket): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${host} gave a fetch ticket for port ${port}`);
  if (!Number.isSafeInteger(length) || length < 0)
    throw new Error(`${host}:${port} gave a fetch ticket for ${length} bytes`);
}

/** Connects to a bulk port, with TLS when the gRPC channel would use it, and sends the ticket once connected. */
function connectBulk(source: BulkTicket, security: Security, onread: net.OnReadOpts): net.Socket {
  const { host, port } = source;
  const useTls = Boolean(security.tlsCa || security.tlsCert);
  // tls.connect takes `onread` too (Node >= 14.18), though its typings do not say so.
  const tlsOptions: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
    host,
    port,
    ca: security.tlsCa,
    cert: security.tlsCert,
    key: security.tlsKey,
    servername: net.isIP(host) ? undefined : host,
    onread,
  };
  const socket = useTls ? tls.connect(tlsOptions) : net.connect({ host, port, onread });
  socket.once(useTls ? 'secureConnect' : 'connect', () => socket.write(source.ticket));
  return socket;
}
