import * as net from 'node:net';

/** Connects to a worker's bulk port, sends `bytes`, and resolves with everything received until the server closes. */
export function rawExchange(port: number, bytes: Buffer, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const socket = net.connect({ host, port }, () => socket.write(bytes));
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(got)));
  });
}
