import * as net from 'node:net';

/**
 * How long the master waits to connect to a registering worker's data address: 3 s. A
 * host that answers takes well under that even across a busy network; an address nobody
 * answers at must not keep a registration hanging.
 */
export const REACH_TIMEOUT_MS = 3000;

/**
 * Opens (and closes) a TCP connection to `address` (host:port). Resolves with undefined
 * when it connected, or a short reason (`connect ECONNREFUSED 127.0.0.1:46413`, `no answer
 * in 3000 ms`) when it did not. Never rejects; always settles within `timeoutMs`.
 */
export function probeAddress(address: string, timeoutMs = REACH_TIMEOUT_MS): Promise<string | undefined> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (why: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done(`no answer in ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => done(undefined));
    socket.once('error', (err) => done(err.message));
  });
}
