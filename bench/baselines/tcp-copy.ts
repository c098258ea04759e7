/**
 * Baseline for the shuffle: a plain TCP copy of N bytes between two Node processes on
 * loopback, in 1 MiB writes with back-pressure, received and dropped.
 *
 *     node dist/bench/baselines/tcp-copy.js send BYTES      (prints "port P", then serves one copy)
 *     node dist/bench/baselines/tcp-copy.js receive PORT BYTES  (prints {"bytes","millis"})
 */
import * as net from 'node:net';

const WRITE_BYTES = 1024 * 1024;

function send(bytes: number): void {
  const block = Buffer.alloc(WRITE_BYTES, 0x61);
  const server = net.createServer((socket) => {
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, WRITE_BYTES);
        left -= n;
        if (!socket.write(n === WRITE_BYTES ? block : block.subarray(0, n))) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
      server.close();
    };
    pump();
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${(server.address() as net.AddressInfo).port}\n`));
}

function receive(port: number, bytes: number): void {
  let got = 0;
  let started = 0n;
  const socket = net.connect(port, '127.0.0.1', () => {
    started = process.hrtime.bigint();
  });
  socket.on('data', (d: Buffer) => {
    got += d.length;
  });
  socket.on('end', () => {
    const millis = Number(process.hrtime.bigint() - started) / 1e6;
    if (got !== bytes) {
      process.stderr.write(`received ${got} bytes, expected ${bytes}\n`);
      process.exit(1);
    }
    process.stdout.write(`${JSON.stringify({ bytes: got, millis })}\n`);
  });
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'send' && a) send(Number(a));
else if (mode === 'receive' && a && b) receive(Number(a), Number(b));
else {
  process.stderr.write('usage: tcp-copy send BYTES | tcp-copy receive PORT BYTES\n');
  process.exit(2);
}
