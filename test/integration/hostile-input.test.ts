import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import type { FetchTicket__Output } from '../../proto/wire/generated/groove/FetchTicket';
import { GrooveClient, JobFailedError, UserError } from '../../sdk/index.js';
import { createWorkerClient } from '../../worker/index.js';
import { rawExchange } from '../helpers/bulk-port.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { mulberry32, writeCorpus } from '../helpers/corpus.js';
import { allMethods, rawCall, tokenMetadata } from '../helpers/raw-rpc.js';
import type { MethodInfo } from '../helpers/raw-rpc.js';
import { referenceWordCount } from '../helpers/reference.js';

/** Statuses that mean "refused" (never OK, never a crash). */
const REFUSED = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND]);

describe('hostile input', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];
  let jobId: string;
  let masterRpc: grpc.Client;
  let workerRpc: grpc.Client;
  const byName = new Map<string, MethodInfo>(allMethods().map((m) => [m.name, m]));
  const method = (name: string): MethodInfo => {
    const m = byName.get(name);
    if (!m) throw new Error(`no method ${name}`);
    return m;
  };

  before(async () => {
    cluster = await startCluster({ workers: 2, token: true });
    client = new GrooveClient({ master: cluster.master, security: cluster.security });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 4, 2000, 9);
    jobId = await client.submit('jobs/wordcount.ts', { inputs: files, partitions: 2 });
    await client.wait(jobId);
    masterRpc = new grpc.Client(cluster.master, grpc.credentials.createInsecure());
    workerRpc = new grpc.Client(cluster.workers[0]?.dataAddress as string, grpc.credentials.createInsecure());
    // A file a traversal would love to read, right next to the data dirs.
    fs.writeFileSync(path.join(cluster.dir, 'secret.txt'), 'SECRET');
  });
  after(async () => {
    masterRpc.close();
    workerRpc.close();
    client.close();
    await cluster.stop();
  });

  const call = (client: grpc.Client, name: string, request: object) => {
    const m = method(name);
    return rawCall(client, m, [m.serialize(request)], tokenMetadata(cluster.security.token));
  };

  it('refuses path traversal through every field that names a job, task, partition or file', async () => {
    const badIds = [
      '..',
      '../..',
      '../../../etc/passwd',
      'a/b',
      '/etc',
      '',
      '.hidden',
      `${jobId}/../..`,
      'x'.repeat(300),
    ];
    for (const name of ['GetJob', 'KillJob', 'PurgeJob', 'WatchJob', 'GetResultLocations']) {
      for (const id of badIds) {
        const out = await call(masterRpc, name, { jobId: id });
        assert.ok(REFUSED.has(out.code), `${name}(${JSON.stringify(id)}): ${grpc.status[out.code]} ${out.details}`);
      }
    }
    for (const hash of ['../../secret.txt', '../' + 'a'.repeat(61), 'A'.repeat(64), '']) {
      const out = await call(masterRpc, 'GetPack', { hash });
      assert.ok(REFUSED.has(out.code), `GetPack(${hash}): ${grpc.status[out.code]}`);
    }
    const dirs = [
      `jobs/${jobId}/../../../secret.txt`,
      '../secret.txt',
      '/etc',
      `jobs/${jobId}/map-00000-a0/..`,
      `jobs/${jobId}/..`,
      `jobs/../${jobId}/map-00000-a0`,
      `jobs/${jobId}/map-00000-a0/../../../..`,
    ];
    for (const fetch of ['FetchPartition', 'OpenFetch']) {
      for (const dir of dirs) {
        for (const id of [jobId, '..']) {
          const out = await call(workerRpc, fetch, { jobId: id, dir, partition: 0 });
          assert.ok(REFUSED.has(out.code), `${fetch}(${id}, ${dir}): ${grpc.status[out.code]} ${out.details}`);
        }
      }
      for (const partition of [2, 99, 4294967295]) {
        const loc = (await client.status(jobId)).mapsTotal;
        assert.ok(loc > 0);
        const out = await call(workerRpc, fetch, { jobId, dir: `jobs/${jobId}/map-00000-a0`, partition });
        assert.ok(REFUSED.has(out.code), `${fetch} partition ${partition}: ${grpc.status[out.code]}`);
      }
    }
    const paths = [
      `jobs/${jobId}/reduce-00000-a0/../../../../secret.txt`,
      '/etc/passwd',
      '../secret.txt',
      `jobs/${jobId}/reduce-00000-a0/part.data/..`,
      `jobs/${jobId}/../../secret.txt`,
    ];
    for (const p of paths) {
      const out = await call(workerRpc, 'ReadResult', { jobId, path: p });
      assert.ok(REFUSED.has(out.code), `ReadResult(${p}): ${grpc.status[out.code]} ${out.details}`);
    }
    // A job name and params cannot make paths either: the id is sanitised, bad param names refused.
    const evil = await client.submit('jobs/wordcount.ts', { inputs: files.slice(0, 1), params: { ok: '../../x' } });
    assert.match(evil, /^[A-Za-z0-9_-]+$/);
    await assert.rejects(
      client.submit('jobs/wordcount.ts', { inputs: files.slice(0, 1), params: { '../../x': '1' } }),
      /bad parameter name/,
    );
    // A worker cannot register under a path-like id or address.
    for (const register of [
      { workerId: '../../w', dataAddress: '127.0.0.1:1', slots: 1 },
      { workerId: 'w-ok', dataAddress: '../x:1', slots: 1 },
      { workerId: 'w-ok', dataAddress: '127.0.0.1:1', slots: 0 },
    ]) {
      const out = await call(masterRpc, 'Session', { register });
      assert.ok(out.code !== grpc.status.OK, `Session register ${JSON.stringify(register)} accepted`);
    }
    assert.equal((await client.workers()).length, 2);
  });

  it('refuses inputs that are not text at submit, and in the map task without retrying when the client cannot see them', async () => {
    const dir = path.join(cluster.dir, 'not-text');
    fs.mkdirSync(dir);
    // gzip data, named so that it is not decompressed (.gz would be).
    const gz = path.join(dir, 'words.gzipped');
    fs.writeFileSync(gz, zlib.gzipSync('one two\nthree\n'));
    // A file the client can read is refused before anything is submitted.
    await assert.rejects(
      client.submit('jobs/wordcount.ts', { inputs: [gz] }),
      (err: unknown) => err instanceof UserError && /words\.gzipped is gzip-compressed, not text/.test(err.message),
    );
    // Inside a directory only the master expands, the map task finds it: one attempt, not --max-attempts.
    const id = await client.submit('jobs/wordcount.ts', { inputs: [dir], maxAttempts: 4 });
    await assert.rejects(
      client.wait(id),
      (err: unknown) =>
        err instanceof JobFailedError &&
        /map-00000 .*words\.gzipped is gzip-compressed, not text: .*binaryText: true/.test(err.message),
    );
    const s = await client.status(id);
    assert.equal(s.failedAttempts, 1, 'a permanent failure is not retried');
    // The opt-in reads it as (garbage) lines.
    const opted = await client.submit('test/fixtures/counts-binary-lines.ts', { inputs: [dir] });
    await client.wait(opted);
  });

  it('answers random and truncated messages to every method with an error and stays up, while a job runs correctly', async () => {
    const rnd = mulberry32(1234);
    const running = client.submit('jobs/wordcount.ts', { inputs: files, partitions: 3, chunkSize: 8 * 1024 });
    const valid: Record<string, object> = {
      SubmitJob: { pack: Buffer.from('{"format":"groove-pack/1"'), inputs: [files[0] as string], partitions: 1 },
      Session: { register: { workerId: 'w-fuzz', dataAddress: '127.0.0.1:9', slots: 1 } },
      FetchPartition: { jobId, dir: `jobs/${jobId}/map-00000-a0`, partition: 0 },
      OpenFetch: { jobId, dir: `jobs/${jobId}/map-00000-a0`, partition: 0 },
      ReadResult: { jobId, path: `jobs/${jobId}/reduce-00000-a0/part.data` },
      GetPack: { hash: 'a'.repeat(64) },
    };
    let calls = 0;
    for (const m of allMethods()) {
      const target = m.service === 'Master' ? masterRpc : workerRpc;
      const full = m.serialize(valid[m.name] ?? { jobId });
      const messages: Buffer[] = [];
      for (let i = 0; i < 40; i++)
        messages.push(Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256))));
      for (let cut = 0; cut < full.length; cut += Math.max(1, Math.floor(full.length / 10)))
        messages.push(full.subarray(0, cut));
      for (const msg of messages) {
        const out = await rawCall(target, m, [msg], tokenMetadata(cluster.security.token), 3000);
        calls++;
        assert.notEqual(out.code, grpc.status.UNKNOWN, `${m.name}: ${out.details}`);
      }
    }
    assert.ok(calls > 500);
    // A real worker's bulk port: random bytes where a ticket goes get the socket closed and nothing sent.
    const dir = `jobs/${jobId}/map-00000-a0`;
    const holder = cluster.workers.find((w) => fs.existsSync(path.join(w.dataDir, dir)));
    assert.ok(holder, 'no worker holds map 0');
    const rpc = createWorkerClient(holder.dataAddress, cluster.security);
    const ticket = await new Promise<FetchTicket__Output>((resolve, reject) =>
      rpc.openFetch({ jobId, dir, partition: 0 }, (err, reply) =>
        err || !reply ? reject(err ?? new Error('openFetch gave neither a ticket nor an error')) : resolve(reply),
      ),
    );
    rpc.close();
    for (let i = 0; i < 20; i++) {
      // At least a ticket's length, so each is judged at once rather than after the handshake timeout.
      const junk = Buffer.from(Array.from({ length: 32 + Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)));
      assert.equal((await rawExchange(ticket.port, junk)).length, 0, 'the bulk port answered random bytes');
    }
    const good = await rawExchange(ticket.port, ticket.ticket);
    assert.equal(good.length, 1 + ticket.length, 'the bulk port stopped serving');
    // Both kinds of server are still up and right.
    const id = await running;
    await client.wait(id);
    const out = new Map<string, unknown>();
    for await (const [k, v] of client.results(id)) out.set(String(k), v);
    assert.deepEqual(out, new Map<string, unknown>(referenceWordCount(files)));
    assert.equal((await client.workers()).filter((w) => w.state === 'alive').length, 2);
  });
});
