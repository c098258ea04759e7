import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';

describe("the master's status page", () => {
  let cluster: TestCluster;
  let base: string;
  let jobId: string;

  before(async () => {
    cluster = await startCluster({ workers: 1, token: true });
    const port = /status page on port (\d+)/.exec(cluster.masterDaemon.log())?.[1];
    assert.ok(port, cluster.masterDaemon.log());
    base = `http://127.0.0.1:${port}`;
    // A job whose name and error carry markup: the page must show it, not run it.
    const job = path.join(cluster.dir, 'xss.ts');
    fs.writeFileSync(
      job,
      `export default { name: '<img src=x onerror=alert(1)>', map() { throw new Error('<script>alert(2)</script>'); } };\n`,
    );
    const input = path.join(cluster.dir, 'in.txt');
    fs.writeFileSync(input, 'x\n');
    const client = new GrooveClient({ master: cluster.master, security: cluster.security });
    try {
      jobId = await client.submit(job, { inputs: [input], maxAttempts: 1 });
      await assert.rejects(client.wait(jobId));
    } finally {
      client.close();
    }
  });
  after(async () => {
    await cluster.stop();
  });

  it('asks for the cluster token', async () => {
    assert.equal((await fetch(`${base}/api/jobs`)).status, 401);
    assert.equal(
      (await fetch(`${base}/`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status,
      401,
    );
  });

  it('lists jobs and workers as JSON', async () => {
    const headers = { authorization: `Bearer ${cluster.security.token as string}` };
    const jobs = (await (await fetch(`${base}/api/jobs`, { headers })).json()) as { jobId: string; state: string }[];
    assert.deepEqual(
      jobs.map((j) => [j.jobId, j.state]),
      [[jobId, 'failed']],
    );
    const workers = (await (await fetch(`${base}/api/workers?token=${cluster.security.token as string}`)).json()) as {
      id: string;
      state: string;
    }[];
    assert.deepEqual(
      workers.map((w) => [w.id, w.state]),
      [[cluster.workers[0]?.id, 'alive']],
    );
  });

  it('escapes job names and errors in its HTML', async () => {
    const html = await (await fetch(`${base}/?token=${cluster.security.token as string}`)).text();
    assert.ok(html.includes(jobId));
    assert.ok(!html.includes('<script>alert(2)'), 'raw script tag in the page');
    assert.ok(html.includes('&#60;script&#62;alert(2)&#60;/script&#62;'), html);
  });
});
