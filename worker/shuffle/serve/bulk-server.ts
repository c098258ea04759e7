import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Logger } from '../../../common/index.js';
import type { Security } from '../../../proto/wire/index.js';
import { TICKET_ACCEPTED, TICKET_BYTES, TICKET_TTL_MS } from '../bulk-protocol.js';

/** Tickets outstanding at once, at most: a caller that opens fetches and never collects them cannot fill memory. */
const MAX_TICKETS = 10_000;

/** A connection must present its ticket this soon, by default. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** A connection whose peer reads nothing for this long is dropped (a reducer that froze). */
const STALLED_READER_MS = 120_000;

/** Read size, and how many reads one connection may have waiting to be sent. */
const READ_BYTES = 1024 * 1024;
const READ_BUFFERS = 3;

/** Options of a {@link BulkServer}. */
export interface BulkServerOptions {
  /** Address to bind: the shuffle service's. */
  readonly host: string;
  /** Port to bind; 0 (the default) picks a free one. */
  readonly port?: number;
  /** TLS when it has a certificate and key (mutual when a CA is given too, as for gRPC). */
  readonly security: Security;
  readonly logger: Logger;
  /** Ticket lifetime, ms. Default {@link TICKET_TTL_MS}. */
  readonly ticketTtlMs?: number;
  /** A connection must present its ticket this soon, ms. Default 10000. */
  readonly handshakeTimeoutMs?: number;
}

interface Ticket {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly expiry: NodeJS.Timeout;
}

/**
 * The worker's bulk port: sends byte ranges of map outputs over plain sockets, the
 * way Hadoop's shuffle server and Spark's block transfer keep shuffle bytes out of their
 * RPC layer (grpc-js costs about 2 ms of CPU per MB on each end). It authenticates
 * nothing itself: the shuffle service checks and authenticates each request (OpenFetch)
 * and issues a single-use ticket naming one range of one file; a connection presents a
 * ticket, then receives the status byte {@link TICKET_ACCEPTED} and exactly the range.
 * Anything else (an unknown, expired or reused ticket, garbage, silence) closes the socket.
 */
export class BulkServer {
  private readonly tickets = new Map<string, Ticket>();
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly log: Logger,
    private readonly ticketTtlMs: number,
    private readonly handshakeTimeoutMs: number,
  ) {}

  /** Listens on `port` of `host` (a free port by default). */
  static async start(options: BulkServerOptions): Promise<BulkServer> {
    const { security } = options;
    let bulk: BulkServer | undefined;
    const onSocket = (socket: net.Socket): void => bulk?.accept(socket);
    let server: net.Server;
    if (security.tlsCert && security.tlsKey) {
      const clientAuth = security.tlsCa !== undefined && security.tlsClientAuth !== false;
      server = tls.createServer(
        {
          cert: security.tlsCert,
          key: security.tlsKey,
          ca: security.tlsCa,
          requestCert: clientAuth,
          rejectUnauthorized: clientAuth,
        },
        onSocket,
      );
      server.on('tlsClientError', (err: Error) =>
        options.logger.warn('bulk port: TLS handshake failed', { error: err.message }),
      );
    } else {
      server = net.createServer(onSocket);
    }
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
    server.on('error', (err: Error) => options.logger.warn('bulk port server error', { error: err.message }));
    bulk = new BulkServer(
      server,
      port,
      options.logger,
      options.ticketTtlMs ?? TICKET_TTL_MS,
      options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    );
    return bulk;
  }

  /** A ticket for [start, end) of `file`, good for one connection within the ticket lifetime. */
  issue(file: string, start: number, end: number): Buffer {
    if (this.tickets.size >= MAX_TICKETS) throw new Error(`too many fetches opened and not collected (${MAX_TICKETS})`);
    const ticket = randomBytes(TICKET_BYTES);
    const key = ticket.toString('hex');
    const expiry = setTimeout(() => this.tickets.delete(key), this.ticketTtlMs);
    expiry.unref();
    this.tickets.set(key, { file, start, end, expiry });
    return ticket;
  }

  /** Stops listening and drops every connection and ticket. */
  async close(): Promise<void> {
    for (const t of this.tickets.values()) clearTimeout(t.expiry);
    this.tickets.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    // A reset by the peer is how a cancelled fetch ends; nothing to report.
    socket.on('error', () => undefined);
    socket.setNoDelay(true);
    const refuse = (reason: string): void => {
      this.log.warn(`bulk port: refused a connection from ${socket.remoteAddress ?? '?'}: ${reason}`);
      socket.destroy();
    };
    socket.setTimeout(this.handshakeTimeoutMs, () => refuse('no ticket in time'));
    let presented = Buffer.alloc(0);
    const onData = (data: Buffer): void => {
      presented = Buffer.concat([presented, data]);
      if (presented.length < TICKET_BYTES) return;
      socket.off('data', onData);
      socket.pause();
      if (presented.length > TICKET_BYTES) return refuse('bytes after the ticket');
      const key = presented.toString('hex');
      const ticket = this.tickets.get(key);
      if (!ticket) return refuse('unknown, expired or used ticket');
      this.tickets.delete(key);
      clearTimeout(ticket.expiry);
      socket.setTimeout(STALLED_READER_MS, () => {
        this.log.warn('bulk port: dropped a reader that took nothing for too long', { file: ticket.file });
        socket.destroy();
      });
      // The peer half-closing or sending more means it no longer follows the protocol.
      socket.on('data', () => refuse('bytes after the ticket'));
      socket.resume();
      this.send(socket, ticket).catch((err: unknown) => {
        this.log.warn('bulk port: read failed while sending', { file: ticket.file, error: (err as Error).message });
        socket.destroy();
      });
    };
    socket.on('data', onData);
  }

  /**
   * Sends the accepted byte and the range, reading into a few reused buffers: a buffer is
   * read into again only once the socket has taken its bytes (the write callback), which
   * keeps the file read of the next block overlapping the send of this one and bounds
   * what one connection holds to READ_BUFFERS blocks.
   */
  private async send(socket: net.Socket, ticket: Ticket): Promise<void> {
    const handle = await fs.promises.open(ticket.file, 'r');
    try {
      socket.write(Buffer.of(TICKET_ACCEPTED));
      const { end } = ticket;
      const total = end - ticket.start;
      const free = Array.from({ length: Math.max(1, Math.min(READ_BUFFERS, Math.ceil(total / READ_BYTES))) }, () =>
        Buffer.allocUnsafeSlow(Math.min(READ_BYTES, Math.max(1, total))),
      );
      let wake: (() => void) | undefined;
      const gone = (): void => wake?.();
      socket.once('close', gone);
      try {
        let pos = ticket.start;
        while (pos < end && !socket.destroyed) {
          const buf = free.pop();
          if (!buf) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            continue;
          }
          const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, end - pos), pos);
          if (bytesRead === 0) throw new Error(`${ticket.file} ends at ${pos}, before ${end}`);
          pos += bytesRead;
          socket.write(buf.subarray(0, bytesRead), () => {
            free.push(buf);
            wake?.();
          });
        }
      } finally {
        socket.off('close', gone);
      }
      if (!socket.destroyed) socket.end();
    } finally {
      await handle.close();
    }
  }
}
