import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createLogger } from '../../common/index.js';
import { CHANNEL_OPTIONS, DATA_CHUNK_BYTES } from '../../proto/wire/index.js';
import { grooveProto } from '../../proto/wire/index.js';
import { NO_SECURITY, serverCredentials, serverOptions } from '../../proto/wire/index.js';
import type { DataChunk__Output } from '../../proto/wire/generated/groove/DataChunk';
import type { WorkerClient } from '../../proto/wire/generated/groove/Worker';
import { createWorkerClient, fetchPartitionToFile, PeerFetches, streamPartitionToFile } from '../../worker/index.js';
import { createShuffleService } from '../../worker/index.js';
import { workerServiceDefinition } from '../../proto/wire/index.js';
import { waitUntil } from '../helpers/cluster.js';
import { checksummedPartFile, openFds, pattern, writeMapOutput } from '../helpers/map-output-fixture.js';

const JOB = 'job-1';
const MAP_DIR = `jobs/${JOB}/map-00000-a0`;

async function listen(server: grpc.Server): Promise<string> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', serverCredentials(NO_SECURITY), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return `127.0.0.1:${port}`;
}

describe('shuffle streams: FetchPartition and ReadResult gRPC streams', () => {
  let dataDir: string;
  let server: grpc.Server;
  let client: WorkerClient;
  let address: string;
  // Partition sizes around the chunk size: several chunks with a ragged end, exactly one,
  // tiny, empty; the last is more than a stream's flow-control window and read buffers hold.
  const sizes = [
    3 * DATA_CHUNK_BYTES + 12_345,
    DATA_CHUNK_BYTES,
    7,
    0,
    2 * DATA_CHUNK_BYTES - 1,
    24 * DATA_CHUNK_BYTES + 5,
  ];
  const BIG = sizes.length - 1;
  const partitions = sizes.map((n, i) => pattern(n, i + 1));

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-shuffle-streams-'));
    writeMapOutput(dataDir, MAP_DIR, partitions);
    server = new grpc.Server(serverOptions(NO_SECURITY, CHANNEL_OPTIONS));
    server.addService(workerServiceDefinition(), createShuffleService(dataDir, createLogger('data-test')));
    address = await listen(server);
    client = createWorkerClient(address);
  });

  after(() => {
    client.close();
    server.forceShutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('every partition arrives byte for byte, each chunk once, in order', async () => {
    for (let p = 0; p < sizes.length; p++) {
      const dest = path.join(dataDir, `fetched-${p}.data`);
      let chunks = 0;
      const bytes = await streamPartitionToFile(client, { jobId: JOB, dir: MAP_DIR, partition: p }, dest, {
        onChunk: () => chunks++,
      });
      assert.equal(bytes, sizes[p]);
      assert.ok(fs.readFileSync(dest).equals(partitions[p] as Buffer), `partition ${p} differs`);
      assert.equal(chunks, Math.ceil((sizes[p] as number) / DATA_CHUNK_BYTES));
    }
  });

  it('many fetches at once over one connection each get their own bytes', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const p = i % sizes.length;
        const dest = path.join(dataDir, `parallel-${i}.data`);
        await streamPartitionToFile(client, { jobId: JOB, dir: MAP_DIR, partition: p }, dest);
        return fs.readFileSync(dest).equals(partitions[p] as Buffer);
      }),
    );
    assert.deepEqual(
      results,
      results.map(() => true),
    );
  });

  it('a part file streams whole through ReadResult', async () => {
    const rel = `jobs/${JOB}/reduce-00000-a0/part.data`;
    const content = checksummedPartFile(pattern(2 * DATA_CHUNK_BYTES + 99, 42));
    fs.mkdirSync(path.dirname(path.join(dataDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dataDir, rel), content);
    const got: Buffer[] = [];
    for await (const chunk of client.readResult({ jobId: JOB, path: rel }) as AsyncIterable<DataChunk__Output>)
      got.push(chunk.data);
    assert.ok(Buffer.concat(got).equals(content));
  });

  it('a corrupt or short part file is refused with DATA_LOSS before its first byte is sent', async () => {
    const good = checksummedPartFile(pattern(2 * DATA_CHUNK_BYTES + 99, 43));
    const flipped = Buffer.from(good);
    // A byte late in the file: the whole file is checked before anything goes.
    const at = good.length - 5000;
    flipped[at] = (flipped[at] as number) ^ 0x10;
    const cases: [string, Buffer, RegExp][] = [
      ['flipped', flipped, /checksum mismatch/],
      ['cut at a block boundary', good.subarray(0, good.length - 20), /without its end marker/],
      ['cut mid-block', good.subarray(0, good.length - 3000), /ends inside a block/],
    ];
    for (const [name, bytes, why] of cases) {
      const rel = `jobs/${JOB}/reduce-00001-a0/part.data`;
      fs.mkdirSync(path.dirname(path.join(dataDir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dataDir, rel), bytes);
      let chunks = 0;
      await assert.rejects(
        (async () => {
          for await (const _ of client.readResult({ jobId: JOB, path: rel }) as AsyncIterable<DataChunk__Output>)
            chunks++;
        })(),
        (err: grpc.ServiceError) =>
          err.code === grpc.status.DATA_LOSS && why.test(err.details) && err.details.includes('part.data'),
        name,
      );
      assert.equal(chunks, 0, `${name}: nothing of the file was sent`);
    }
  });

  it('a reducer that cancels mid-stream leaves the server with no open file', async () => {
    const before = openFds();
    const call = client.fetchPartition({ jobId: JOB, dir: MAP_DIR, partition: BIG });
    const cancelled = new Promise<void>((resolve) => call.on('error', () => resolve()));
    await new Promise<void>((resolve) => call.once('data', () => resolve()));
    call.pause();
    // The server now holds the file and buffers waiting to be sent; the cancel must release both.
    call.cancel();
    await cancelled;
    await waitUntil('the server closed the partition file', () => openFds() <= before, 10_000);
  });

  it('fetchPartitionToFile falls back to this stream when the worker has no bulk port', async () => {
    const dest = path.join(dataDir, 'fallback.data');
    // The daemon's half streams the partition into the file itself; the pool's half only hears how long it is.
    const peers = new PeerFetches(NO_SECURITY);
    const bytes = await fetchPartitionToFile(
      (r) => peers.open(r),
      { address, jobId: JOB, dir: MAP_DIR, partition: 0, destination: dest },
      { security: NO_SECURITY },
    ).finally(() => peers.close());
    assert.equal(bytes, sizes[0]);
    assert.ok(fs.readFileSync(dest).equals(partitions[0] as Buffer));
  });

  it('a missing map output is an error, not an empty partition', async () => {
    await assert.rejects(
      streamPartitionToFile(
        client,
        { jobId: JOB, dir: `jobs/${JOB}/map-00009-a0`, partition: 0 },
        path.join(dataDir, 'missing.data'),
      ),
      /not found/,
    );
  });
});

describe('shuffle streams: a stalled sender', () => {
  it('a fetch that stops receiving is abandoned after the idle timeout, its file closed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-data-stall-'));
    const server = new grpc.Server(serverOptions(NO_SECURITY, CHANNEL_OPTIONS));
    // One chunk, then silence: what a worker that froze mid-stream looks like.
    server.addService(grooveProto().groove.Worker.service, {
      FetchPartition(call: grpc.ServerWritableStream<unknown, { data: Buffer }>) {
        call.write({ data: Buffer.alloc(1000, 1) });
      },
      ReadResult(call: grpc.ServerWritableStream<unknown, { data: Buffer }>) {
        call.end();
      },
    });
    const client = createWorkerClient(await listen(server));
    try {
      const before = openFds();
      const started = Date.now();
      await assert.rejects(
        streamPartitionToFile(client, { jobId: JOB, dir: MAP_DIR, partition: 0 }, path.join(dir, 'stalled.data'), {
          idleTimeoutMs: 300,
        }),
        /cancel/i,
      );
      assert.ok(Date.now() - started >= 300);
      assert.ok(openFds() <= before, 'the fetch file was left open');
    } finally {
      client.close();
      server.forceShutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stream the daemon runs for a pool process ends when that process is gone (its signal aborted)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-data-abort-'));
    const server = new grpc.Server(serverOptions(NO_SECURITY, CHANNEL_OPTIONS));
    let sent!: () => void;
    const firstChunk = new Promise<void>((resolve) => (sent = resolve));
    // No OpenFetch (UNIMPLEMENTED, a worker without a bulk port): the daemon streams; one chunk, then silence.
    server.addService(grooveProto().groove.Worker.service, {
      FetchPartition(call: grpc.ServerWritableStream<unknown, { data: Buffer }>) {
        call.write({ data: Buffer.alloc(1000, 1) }, () => sent());
      },
      ReadResult(call: grpc.ServerWritableStream<unknown, { data: Buffer }>) {
        call.end();
      },
    });
    const peers = new PeerFetches(NO_SECURITY);
    try {
      const address = await listen(server);
      const abort = new AbortController();
      const before = openFds();
      const started = Date.now();
      const request = {
        address,
        jobId: JOB,
        dir: MAP_DIR,
        partition: 0,
        destination: path.join(dir, 'aborted.data'),
        idleTimeoutMs: 60_000,
      };
      const answer = peers.open(request, { signal: abort.signal });
      await firstChunk;
      abort.abort();
      const a = await answer;
      assert.equal(a.kind, 'failed');
      assert.match(a.kind === 'failed' ? a.message : '', /cancel/i);
      assert.ok(Date.now() - started < 30_000, 'the stream waited for its idle timeout instead');
      assert.ok(openFds() <= before, 'the fetch file was left open');
    } finally {
      peers.close();
      server.forceShutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a fetch from a peer that was unreachable gets a fresh channel, not one waiting out its reconnect backoff', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-data-reconnect-'));
    writeMapOutput(dataDir, MAP_DIR, [pattern(1000, 1)]);
    // A port nobody listens on yet.
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const address = `127.0.0.1:${port}`;
    const peers = new PeerFetches(NO_SECURITY);
    const server = new grpc.Server(serverOptions(NO_SECURITY, CHANNEL_OPTIONS));
    try {
      const request = {
        address,
        jobId: JOB,
        dir: MAP_DIR,
        partition: 0,
        destination: path.join(dataDir, 'again.data'),
      };
      const down = await peers.open(request);
      assert.equal(down.kind, 'failed');
      assert.equal(down.kind === 'failed' ? down.code : undefined, grpc.status.UNAVAILABLE);
      server.addService(workerServiceDefinition(), createShuffleService(dataDir, createLogger('data-test')));
      await new Promise<number>((resolve, reject) =>
        server.bindAsync(address, serverCredentials(NO_SECURITY), (err, p) => (err ? reject(err) : resolve(p))),
      );
      const up = await peers.open(request);
      assert.deepEqual(up, { kind: 'streamed', bytes: 1000 });
    } finally {
      peers.close();
      server.forceShutdown();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
