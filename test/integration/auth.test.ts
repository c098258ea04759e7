import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { writeTokenFile } from '../../common/index.js';
import { JOB_PACK_FORMAT, encodeJobPack } from '../../proto/formats/index.js';
import { GrooveClient, loadSecurity } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { allMethods, rawCall, tokenMetadata } from '../helpers/raw-rpc.js';
import type { MethodInfo } from '../helpers/raw-rpc.js';

/** A request for each method that would do something real if it were let through. */
function realisticRequests(method: MethodInfo, input: string, workerAddress: string): Buffer[] {
  const pack = encodeJobPack({
    format: JOB_PACK_FORMAT,
    name: 'evil',
    source: 'evil.js',
    code: 'module.exports = { map() { require("fs").writeFileSync("/tmp/groove-pwned", "x"); } };',
  });
  switch (method.name) {
    case 'Session':
      return [
        method.serialize({
          register: { workerId: 'w-intruder', dataAddress: workerAddress, slots: 4, hostname: 'x', version: '0' },
        }),
      ];
    case 'SubmitJob':
      return [method.serialize({ pack, inputs: [input], partitions: 1, name: 'evil' })];
    case 'GetPack':
      return [method.serialize({ hash: '0'.repeat(64) })];
    case 'FetchPartition':
    case 'OpenFetch':
      return [method.serialize({ jobId: 'job', dir: 'jobs/job/map-00000-a0', partition: 0 })];
    case 'ReadResult':
      return [method.serialize({ jobId: 'job', path: 'jobs/job/reduce-00000-a0/part.data' })];
    default:
      return [method.serialize({ jobId: 'job' })];
  }
}

describe('authentication: nothing runs or is stored without the cluster token', () => {
  let cluster: TestCluster;
  let otherToken: string;
  let input: string;

  before(async () => {
    cluster = await startCluster({ workers: 1, token: true });
    assert.ok(cluster.security.token);
    otherToken = writeTokenFile(path.join(cluster.dir, 'other-token'));
    input = path.join(cluster.dir, 'in.txt');
    fs.writeFileSync(input, 'a b c\n');
  });
  after(async () => {
    await cluster.stop();
  });

  it("every master and worker method refuses a call without a token, with a wrong one, and with another cluster's", async () => {
    const workerAddress = cluster.workers[0]?.dataAddress as string;
    const targets = { Master: cluster.master, Worker: workerAddress };
    const methods = allMethods();
    assert.ok(methods.length >= 12, `only ${methods.length} methods found`);
    for (const method of methods) {
      const client = new grpc.Client(targets[method.service], grpc.credentials.createInsecure());
      try {
        for (const [label, presented] of [
          ['no token', undefined],
          ['a wrong token', 'x'.repeat(64)],
          ["another cluster's token", otherToken],
        ] as const) {
          const out = await rawCall(
            client,
            method,
            realisticRequests(method, input, workerAddress),
            tokenMetadata(presented),
          );
          assert.equal(
            out.code,
            grpc.status.UNAUTHENTICATED,
            `${method.service}.${method.name} with ${label}: ${grpc.status[out.code]} ${out.details}`,
          );
        }
      } finally {
        client.close();
      }
    }
    // Nothing was executed or stored.
    const client = new GrooveClient({ master: cluster.master, security: cluster.security });
    try {
      assert.deepEqual(await client.jobs(), []);
      assert.deepEqual(
        (await client.workers()).map((w) => w.workerId),
        [cluster.workers[0]?.id],
      );
    } finally {
      client.close();
    }
    assert.deepEqual(fs.readdirSync(path.join(cluster.dir, 'master', 'packs')), []);
    assert.ok(!fs.existsSync(path.join(cluster.workers[0]?.dataDir as string, 'jobs')));
    assert.ok(!fs.existsSync('/tmp/groove-pwned'));
  });

  it('the CLI says what is missing, in one line', async () => {
    const r = await runMr(['jobs', '--master', cluster.master], { env: { MR_TOKEN_FILE: '' } });
    assert.notEqual(r.code, 0);
    assert.equal(
      r.stderr.trim(),
      `mr: ${cluster.master} refused the request: a cluster token is required (give the cluster token with --token-file or MR_TOKEN_FILE)`,
    );
  });

  it('with the token, a job runs', async () => {
    const client = new GrooveClient({
      master: cluster.master,
      security: loadSecurity({ tokenFile: cluster.tokenFile }),
    });
    try {
      const id = await client.submit('jobs/wordcount.ts', { inputs: [input] });
      await client.wait(id);
      const out = new Map<string, unknown>();
      for await (const [k, v] of client.results(id)) out.set(String(k), v);
      assert.deepEqual(
        out,
        new Map([
          ['a', 1],
          ['b', 1],
          ['c', 1],
        ]),
      );
    } finally {
      client.close();
    }
  });
});
