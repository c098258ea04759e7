import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { createLogger } from '../../common/index.js';
import type { LogFields, Logger } from '../../common/index.js';
import { CHANNEL_OPTIONS } from '../../proto/wire/index.js';
import { serverCredentials, serverOptions } from '../../proto/wire/index.js';
import type { FetchTicket__Output } from '../../proto/wire/generated/groove/FetchTicket';
import type { Security } from '../../proto/wire/index.js';
import type { WorkerClient } from '../../proto/wire/generated/groove/Worker';
import { BulkServer, TICKET_BYTES } from '../../worker/index.js';
import { receiveToFile } from '../../worker/index.js';
import { createWorkerClient, fetchPartitionToFile, PeerFetches } from '../../worker/index.js';
import { createShuffleService } from '../../worker/index.js';
import { workerServiceDefinition } from '../../proto/wire/index.js';
import { compileWorkerOptions } from '../../worker/index.js';
import { rawExchange } from '../helpers/bulk-port.js';
import { waitUntil } from '../helpers/cluster.js';
import { openFds, pattern, writeMapOutput } from '../helpers/map-output-fixture.js';
import { makeTestCerts } from '../helpers/test-certs.js';

const JOB = 'job-1';
const MAP_DIR = `jobs/${JOB}/map-00000-a0`;
const MiB = 1024 * 1024;
// Several socket reads with a ragged end, tiny, empty, and one more than the server's read buffers hold.
const SIZES = [3 * MiB + 12_345, 7, 0, 24 * MiB + 5];
const PARTITIONS = SIZES.map((n, i) => pattern(n, i + 1));

/** A logger that keeps warnings, so a test can see the reason a connection was refused. */
class WarningLog implements Logger {
  readonly warnings: string[] = [];
  debug(): void {}
  info(): void {}
  warn(message: string, fields?: LogFields): void {
    this.warnings.push(fields ? `${message} ${JSON.stringify(fields)}` : message);
  }
  error(message: string): void {
    this.warnings.push(message);
  }
  child(): Logger {
    return this;
  }
}

/** A worker's shuffle end as the daemon runs it: the gRPC shuffle service and the bulk port, both on loopback. */
interface ShuffleEnd {
  readonly dataDir: string;
  readonly address: string;
  readonly bulk: BulkServer;
  readonly log: WarningLog;
  stop(): Promise<void>;
}

async function startShuffleEnd(
  security: Security,
  options: { ticketTtlMs?: number; handshakeTimeoutMs?: number } = {},
): Promise<ShuffleEnd> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-bulk-'));
  writeMapOutput(dataDir, MAP_DIR, PARTITIONS);
  const log = new WarningLog();
  const bulk = await BulkServer.start({ host: '127.0.0.1', security, logger: log, ...options });
  const server = new grpc.Server(serverOptions(security, CHANNEL_OPTIONS));
  server.addService(workerServiceDefinition(), createShuffleService(dataDir, createLogger('bulk-test'), bulk));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', serverCredentials(security), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    dataDir,
    address: `127.0.0.1:${port}`,
    bulk,
    log,
    async stop() {
      server.forceShutdown();
      await bulk.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Fetches a partition the way a reducer does: its daemon opens the fetch (PeerFetches), its pool process receives the bytes. */
async function fetchVia(security: Security, address: string, partition: number, destination: string): Promise<number> {
  const peers = new PeerFetches(security);
  try {
    return await fetchPartitionToFile(
      (r) => peers.open(r),
      { address, jobId: JOB, dir: MAP_DIR, partition, destination },
      { security },
    );
  } finally {
    peers.close();
  }
}

function openFetch(client: WorkerClient, partition: number): Promise<FetchTicket__Output> {
  return new Promise((resolve, reject) =>
    client.openFetch({ jobId: JOB, dir: MAP_DIR, partition }, (err, reply) =>
      err || !reply ? reject(err ?? new Error('openFetch gave neither a ticket nor an error')) : resolve(reply),
    ),
  );
}

describe('bulk port: OpenFetch tickets and raw transfers', () => {
  let plane: ShuffleEnd;
  let client: WorkerClient;
  let dest: string;

  before(async () => {
    plane = await startShuffleEnd({}, { ticketTtlMs: 300, handshakeTimeoutMs: 300 });
    client = createWorkerClient(plane.address);
    dest = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-bulk-dest-'));
  });
  after(async () => {
    client.close();
    await plane.stop();
    fs.rmSync(dest, { recursive: true, force: true });
  });

  it('every partition arrives byte for byte, also many at once', async () => {
    for (let p = 0; p < SIZES.length; p++) {
      const file = path.join(dest, `p${p}.data`);
      const bytes = await fetchVia({}, plane.address, p, file);
      assert.equal(bytes, SIZES[p]);
      assert.ok(fs.readFileSync(file).equals(PARTITIONS[p] as Buffer), `partition ${p} differs`);
    }
    const same = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const p = i % SIZES.length;
        const file = path.join(dest, `parallel-${i}.data`);
        await fetchVia({}, plane.address, p, file);
        return fs.readFileSync(file).equals(PARTITIONS[p] as Buffer);
      }),
    );
    assert.deepEqual(
      same,
      same.map(() => true),
    );
  });

  it('OpenFetch checks the request like FetchPartition', async () => {
    const refusals: [object, grpc.status][] = [
      [{ jobId: JOB, dir: `jobs/${JOB}/../../etc`, partition: 0 }, grpc.status.INVALID_ARGUMENT],
      [{ jobId: '..', dir: MAP_DIR, partition: 0 }, grpc.status.INVALID_ARGUMENT],
      [{ jobId: JOB, dir: MAP_DIR, partition: SIZES.length }, grpc.status.INVALID_ARGUMENT],
      [{ jobId: JOB, dir: `jobs/${JOB}/map-00009-a0`, partition: 0 }, grpc.status.NOT_FOUND],
    ];
    for (const [request, code] of refusals) {
      const err = await new Promise<grpc.ServiceError | null>((resolve) =>
        client.openFetch(request, (e) => resolve(e)),
      );
      assert.equal(err?.code, code, `${JSON.stringify(request)}: ${err?.message ?? 'accepted'}`);
    }
  });

  it('a ticket is good for one connection: a reused one is refused, with the reason logged', async () => {
    const t = await openFetch(client, 1);
    assert.equal(t.ticket.length, TICKET_BYTES);
    const first = await rawExchange(t.port, t.ticket);
    assert.ok(first.equals(Buffer.concat([Buffer.of(0), PARTITIONS[1] as Buffer])));
    const again = path.join(dest, 'reused.data');
    await assert.rejects(
      receiveToFile({ host: '127.0.0.1', port: t.port, ticket: t.ticket, length: t.length }, again, {
        security: {},
        idleTimeoutMs: 5000,
      }),
      /closed the connection without accepting the fetch ticket/,
    );
    await waitUntil('the refusal is logged', () =>
      plane.log.warnings.some((w) => /refused a connection from .*unknown, expired or used ticket/.test(w)),
    );
  });

  it('unknown tickets, garbage, extra bytes, silence and expired tickets get the socket closed and no data', async () => {
    const port = plane.bulk.port;
    assert.equal((await rawExchange(port, Buffer.alloc(TICKET_BYTES, 1))).length, 0, 'unknown ticket');
    assert.equal(
      (await rawExchange(port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\nand then some more bytes\r\n'))).length,
      0,
      'garbage',
    );
    const t = await openFetch(client, 0);
    assert.equal(
      (await rawExchange(port, Buffer.concat([t.ticket, Buffer.from('x')]))).length,
      0,
      'bytes after the ticket',
    );
    assert.equal((await rawExchange(port, Buffer.alloc(0))).length, 0, 'silence (closed after the handshake timeout)');
    const late = await openFetch(client, 0);
    // Expiry is a matter of time: wait past the 300 ms lifetime (trying the ticket earlier would use it).
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await rawExchange(port, late.ticket)).length, 0, 'expired ticket');
    for (const reason of ['unknown, expired or used ticket', 'bytes after the ticket', 'no ticket in time']) {
      assert.ok(
        plane.log.warnings.some((w) => w.includes(reason)),
        `no warning saying ${reason}: ${plane.log.warnings.join(' | ')}`,
      );
    }
    // The server is still up and right.
    const file = path.join(dest, 'after-garbage.data');
    await fetchVia({}, plane.address, 0, file);
    assert.ok(fs.readFileSync(file).equals(PARTITIONS[0] as Buffer));
  });

  it('a map output cut short while it is sent fails the fetch, its file closed', async () => {
    const t = await openFetch(client, 3);
    // The server reads the range as it sends it: it finds the file ends early and drops the connection.
    fs.truncateSync(path.join(plane.dataDir, MAP_DIR, 'output.data'), 2 * MiB);
    const before = openFds();
    try {
      await assert.rejects(
        receiveToFile(
          { host: '127.0.0.1', port: t.port, ticket: t.ticket, length: t.length },
          path.join(dest, 'cut.data'),
          { security: {}, idleTimeoutMs: 5000 },
        ),
        /closed the connection after \d+ of 25165829 bytes/,
      );
      assert.ok(openFds() <= before, 'the fetch file was left open');
    } finally {
      writeMapOutput(plane.dataDir, MAP_DIR, PARTITIONS);
    }
  });
});

describe('bulk port: a sender that dies or stalls', () => {
  let dest: string;
  before(() => {
    dest = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-bulk-fault-'));
  });
  after(() => fs.rmSync(dest, { recursive: true, force: true }));

  /** A process that accepts one connection, takes the ticket, sends `sent` of the promised bytes, then `then`s. */
  async function fakeSender(sent: number, then: 'die' | 'stall'): Promise<{ port: number; stop: () => void }> {
    const code = `
      const net = require('node:net');
      const server = net.createServer((socket) => {
        socket.once('data', () => {
          socket.write(Buffer.concat([Buffer.of(0), Buffer.alloc(${sent}, 7)]), () => {
            if (${JSON.stringify(then)} === 'die') process.kill(process.pid, 'SIGKILL');
          });
        });
      });
      server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', () => reject(new Error('fake sender exited before listening')));
    });
    return { port, stop: () => child.kill('SIGKILL') };
  }

  it('a sender process killed mid-stream fails the fetch, its file closed', async () => {
    const sender = await fakeSender(3 * MiB, 'die');
    try {
      const before = openFds();
      await assert.rejects(
        receiveToFile(
          { host: '127.0.0.1', port: sender.port, ticket: Buffer.alloc(TICKET_BYTES), length: 10 * MiB },
          path.join(dest, 'died.data'),
          { security: {}, idleTimeoutMs: 10_000 },
        ),
        /127\.0\.0\.1:\d+( closed the connection after \d+ of 10485760 bytes|: read ECONNRESET)/,
      );
      assert.ok(openFds() <= before, 'the fetch file was left open');
    } finally {
      sender.stop();
    }
  });

  it('a ticket naming no usable port is refused before anything is opened', async () => {
    const before = openFds();
    for (const port of [0, 70000, 1.5]) {
      await assert.rejects(
        receiveToFile(
          { host: '127.0.0.1', port, ticket: Buffer.alloc(TICKET_BYTES), length: 10 },
          path.join(dest, 'bad-port.data'),
          { security: {}, idleTimeoutMs: 1000 },
        ),
        /gave a fetch ticket for port/,
      );
    }
    assert.ok(openFds() <= before);
    assert.ok(!fs.existsSync(path.join(dest, 'bad-port.data')));
  });

  it('a sender that goes silent is abandoned after the idle timeout, its file closed', async () => {
    const sender = await fakeSender(MiB, 'stall');
    try {
      const before = openFds();
      const started = Date.now();
      await assert.rejects(
        receiveToFile(
          { host: '127.0.0.1', port: sender.port, ticket: Buffer.alloc(TICKET_BYTES), length: 10 * MiB },
          path.join(dest, 'stalled.data'),
          { security: {}, idleTimeoutMs: 300 },
        ),
        /no data from 127\.0\.0\.1:\d+ for 300 ms \(fetch cancelled after 1048576 of 10485760 bytes\)/,
      );
      assert.ok(Date.now() - started >= 300);
      assert.ok(openFds() <= before, 'the fetch file was left open');
    } finally {
      sender.stop();
    }
  });
});

describe('bulk port: with a cluster token and TLS', () => {
  let certDir: string;
  let dest: string;
  before(() => {
    certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-bulk-tls-'));
    dest = path.join(certDir, 'out');
    fs.mkdirSync(dest);
  });
  after(() => fs.rmSync(certDir, { recursive: true, force: true }));

  it('OpenFetch without the token is refused; with it, the fetch works', async () => {
    const security: Security = { token: 'a-cluster-token-long-enough' };
    const plane = await startShuffleEnd(security);
    const anonymous = createWorkerClient(plane.address);
    const member = createWorkerClient(plane.address, security);
    try {
      const err = await new Promise<grpc.ServiceError | null>((resolve) =>
        anonymous.openFetch({ jobId: JOB, dir: MAP_DIR, partition: 0 }, (e) => resolve(e)),
      );
      assert.equal(err?.code, grpc.status.UNAUTHENTICATED);
      const file = path.join(dest, 'token.data');
      await fetchVia(security, plane.address, 0, file);
      assert.ok(fs.readFileSync(file).equals(PARTITIONS[0] as Buffer));
    } finally {
      anonymous.close();
      member.close();
      await plane.stop();
    }
  });

  it('with mutual TLS the bytes come over TLS; plain TCP and clients without a certificate are refused', async () => {
    const certs = makeTestCerts(certDir, 'bulk');
    const security: Security = {
      token: 'a-cluster-token-long-enough',
      tlsCert: fs.readFileSync(certs.cert),
      tlsKey: fs.readFileSync(certs.key),
      tlsCa: fs.readFileSync(certs.ca),
    };
    const plane = await startShuffleEnd(security);
    const client = createWorkerClient(plane.address, security);
    try {
      for (const p of [0, 3]) {
        const file = path.join(dest, `tls-${p}.data`);
        await fetchVia(security, plane.address, p, file);
        assert.ok(fs.readFileSync(file).equals(PARTITIONS[p] as Buffer), `partition ${p} differs`);
      }
      // A valid ticket over plain TCP gets nothing: the port speaks only TLS.
      const t = await openFetch(client, 1);
      assert.equal((await rawExchange(t.port, t.ticket)).length, 0);
      // TLS without a client certificate: the handshake is refused, the ticket never read.
      const t2 = await openFetch(client, 1);
      const noCert = await new Promise<string>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: t2.port, ca: security.tlsCa }, () =>
          socket.write(t2.ticket),
        );
        let got = 0;
        socket.on('data', (d: Buffer) => (got += d.length));
        socket.on('error', (e: Error) => resolve(`error ${e.message}`));
        socket.on('close', () => resolve(`closed after ${got} bytes`));
      });
      assert.match(noCert, /^error|^closed after 0 bytes$/);
    } finally {
      client.close();
      await plane.stop();
    }
  });

  it('binds the port it is given (mr worker --bulk-port), and says so when it is taken', async () => {
    const free = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const fixed = await BulkServer.start({ host: '127.0.0.1', port: free, security: {}, logger: new WarningLog() });
    try {
      assert.equal(fixed.port, free);
      await assert.rejects(
        BulkServer.start({ host: '127.0.0.1', port: free, security: {}, logger: new WarningLog() }),
        /EADDRINUSE/,
      );
    } finally {
      await fixed.close();
    }
    assert.throws(
      () => compileWorkerOptions({ master: '127.0.0.1:1', dataDir: '/tmp/x', bulkPort: 70_000 }),
      /: bulkPort must be an integer from 0 to 65535, got 70000$/,
    );
    assert.equal(compileWorkerOptions({ master: '127.0.0.1:1', dataDir: '/tmp/x' }).bulkPort, 0);
  });
});
