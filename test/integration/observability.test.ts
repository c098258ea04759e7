import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { GrooveClient } from '../../sdk/index.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster, TestWorker } from '../helpers/cluster.js';
import { healthStatus } from '../helpers/health-client.js';
import { metricValue, parsePrometheusText } from '../helpers/prometheus-text.js';
import type { Sample } from '../helpers/prometheus-text.js';
import { allMethods, rawCall } from '../helpers/raw-rpc.js';
import { ROOT, runMr } from '../helpers/cli.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** The port a daemon printed after `label` (`status page on port N`, `metrics on port N`). */
function portIn(log: string, label: string): number {
  const m = new RegExp(`${label} on port (\\d+)`).exec(log);
  assert.ok(m, `no "${label} on port" in: ${log}`);
  return Number(m[1]);
}

describe('metrics and the health service of a running cluster', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let token: string;
  let masterMetricsUrl: string;
  const workerMetricsUrl = new Map<TestWorker, string>();
  let dir: string;

  const scrape = async (url: string): Promise<Sample[]> => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };
  const scrapeWorkers = async (): Promise<Sample[]> =>
    (await Promise.all(cluster.workers.map((w) => scrape(workerMetricsUrl.get(w) as string)))).flat();

  before(async () => {
    cluster = await startCluster({ workers: 2, token: true, workerArgs: ['--http-port', '0'] });
    token = cluster.security.token as string;
    dir = cluster.dir;
    masterMetricsUrl = `http://127.0.0.1:${portIn(cluster.masterDaemon.log(), 'status page')}/metrics`;
    for (const w of cluster.workers)
      workerMetricsUrl.set(w, `http://127.0.0.1:${portIn(w.daemon.log(), 'metrics')}/metrics`);
    client = new GrooveClient({ master: cluster.master, security: cluster.security });
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it('count what a job did: every task succeeded once, its bytes, its durations, the slots', async () => {
    const inputs = ['a b c a\n', 'b c d\ne f\n'].map((text, i) => {
      const file = path.join(dir, `words-${i}.txt`);
      fs.writeFileSync(file, text);
      return file;
    });
    const inputBytes = inputs.reduce((n, f) => n + fs.statSync(f).size, 0);
    const job = path.join(FIXTURES, 'wordcount-no-combiner.ts');
    // One map per file, no backups: every attempt is the task's one.
    const id = await client.submit(job, { inputs, partitions: 2, packInputs: false, speculation: false });
    const status = await client.wait(id);
    assert.equal(status.state, 'succeeded');
    const m = await scrape(masterMetricsUrl);
    assert.equal(metricValue(m, 'groove_tasks', { kind: 'map', state: 'succeeded' }), 2);
    assert.equal(metricValue(m, 'groove_tasks', { kind: 'reduce', state: 'succeeded' }), 2);
    assert.equal(metricValue(m, 'groove_tasks', { state: 'running' }), 0);
    assert.equal(metricValue(m, 'groove_jobs', { state: 'succeeded' }), 1);
    assert.equal(metricValue(m, 'groove_attempts_total', { kind: 'map', outcome: 'succeeded' }), 2);
    assert.equal(metricValue(m, 'groove_attempts_total', { kind: 'reduce', outcome: 'succeeded' }), 2);
    assert.equal(metricValue(m, 'groove_attempts_failed_total'), 0);
    assert.equal(metricValue(m, 'groove_bytes_read_total'), inputBytes);
    const shuffled = Number(status.counters['groove.reduce.shuffle.bytes']);
    assert.ok(shuffled > 0);
    assert.equal(metricValue(m, 'groove_bytes_shuffled_total'), shuffled);
    assert.equal(metricValue(m, 'groove_bytes_written_total', { kind: 'map' }), shuffled);
    assert.equal(
      metricValue(m, 'groove_bytes_written_total', { kind: 'reduce' }),
      Number(status.counters['groove.reduce.output.bytes']),
    );
    const fetched = Number(status.counters['groove.reduce.fetch.bytes'] ?? 0);
    assert.equal(metricValue(m, 'groove_bytes_fetched_total'), fetched);
    assert.equal(metricValue(m, 'groove_fetch_duration_seconds_count') > 0, fetched > 0);
    assert.equal(metricValue(m, 'groove_task_duration_seconds_count', { kind: 'map' }), 2);
    assert.equal(metricValue(m, 'groove_task_duration_seconds_count', { kind: 'reduce' }), 2);
    assert.ok(metricValue(m, 'groove_task_duration_seconds_sum') > 0);
    assert.equal(metricValue(m, 'groove_slots'), 2);
    assert.equal(metricValue(m, 'groove_slots_busy'), 0);
    assert.equal(metricValue(m, 'groove_workers', { state: 'alive' }), 2);
    assert.ok(metricValue(m, 'groove_scheduler_pass_seconds_count') >= 1);
    assert.equal(metricValue(m, 'groove_scheduler_placements_total'), 4);
    assert.ok(metricValue(m, 'process_resident_memory_bytes') > 0);
    // The workers' own counts add up to the master's.
    const w = await scrapeWorkers();
    assert.equal(metricValue(w, 'groove_worker_attempts_total', { outcome: 'succeeded' }), 4);
    assert.equal(metricValue(w, 'groove_worker_bytes_read_total'), inputBytes);
    assert.equal(metricValue(w, 'groove_worker_bytes_shuffled_total'), shuffled);
    assert.equal(metricValue(w, 'groove_worker_bytes_fetched_total'), fetched);
    assert.equal(metricValue(w, 'groove_worker_task_duration_seconds_count'), 4);
    assert.equal(metricValue(w, 'groove_worker_slots'), 2);
    assert.equal(metricValue(w, 'groove_worker_slots_busy'), 0);
    assert.equal(metricValue(w, 'groove_worker_draining'), 0);
  });

  it('count failed attempts by why they failed: the job code, a crashed pool process', async () => {
    const input = path.join(dir, 'boom.txt');
    fs.writeFileSync(input, 'fine\nboom\n');
    const failing = await client.submit(path.join(FIXTURES, 'throws-in-map.ts'), { inputs: [input], maxAttempts: 1 });
    await assert.rejects(client.wait(failing));
    // Its first attempt's pool process exits; the retry succeeds.
    const crashing = await client.submit(path.join(FIXTURES, 'exits-first-attempt.ts'), { inputs: [input] });
    assert.equal((await client.wait(crashing)).state, 'succeeded');
    const m = await scrape(masterMetricsUrl);
    assert.equal(metricValue(m, 'groove_attempts_failed_total', { kind: 'map', reason: 'user_error' }), 1);
    assert.equal(metricValue(m, 'groove_attempts_failed_total', { kind: 'map', reason: 'crash' }), 1);
    assert.equal(metricValue(m, 'groove_attempts_failed_total'), 2);
    assert.equal(metricValue(m, 'groove_attempts_total', { outcome: 'failed' }), 2);
    assert.equal(metricValue(m, 'groove_jobs', { state: 'failed' }), 1);
    assert.equal(metricValue(m, 'groove_tasks', { kind: 'map', state: 'failed' }), 1);
    const w = await scrapeWorkers();
    assert.equal(metricValue(w, 'groove_worker_attempts_failed_total', { reason: 'user_error' }), 1);
    assert.equal(metricValue(w, 'groove_worker_attempts_failed_total', { reason: 'crash' }), 1);
    assert.equal(metricValue(w, 'groove_worker_attempts_failed_total'), 2);
  });

  it('are behind the cluster token, and count the calls it refused', async () => {
    const urls = [masterMetricsUrl, ...workerMetricsUrl.values()];
    for (const url of urls) {
      assert.equal((await fetch(url)).status, 401, url);
      assert.equal((await fetch(url, { headers: { authorization: `Bearer ${'x'.repeat(64)}` } })).status, 401, url);
      assert.equal((await fetch(`${url}?token=wrong`)).status, 401, url);
      const byQuery = await fetch(`${url}?token=${token}`);
      assert.equal(byQuery.status, 200, url);
      assert.match(await byQuery.text(), /^# HELP groove_/m);
      assert.equal((await fetch(url, { method: 'POST' })).status, 405, url);
    }
    const noToken = new GrooveClient({ master: cluster.master });
    try {
      await assert.rejects(noToken.jobs(), /token/);
    } finally {
      noToken.close();
    }
    const m = await scrape(masterMetricsUrl);
    const refused = { method: 'groove.Master/ListJobs', code: 'UNAUTHENTICATED' };
    assert.equal(metricValue(m, 'groove_rpc_errors_total', refused), 1);
  });

  it('answer health checks without a token: SERVING on the master and every worker', async () => {
    for (const service of ['', 'groove.Master']) assert.equal(await healthStatus(cluster.master, service), 'SERVING');
    for (const w of cluster.workers)
      for (const service of ['', 'groove.Worker']) assert.equal(await healthStatus(w.dataAddress, service), 'SERVING');
    // Answered, not refused: no error status for them.
    const m = await scrape(masterMetricsUrl);
    assert.ok(!m.some((s) => s.name === 'groove_rpc_errors_total' && s.labels['method']?.startsWith('grpc.health')));
    assert.equal(await healthStatus(cluster.master, 'groove.Nothing'), 'NOT_FOUND');
  });

  it('exempt only the health service: every Groove method still refuses a call without a token', async () => {
    const targets = { Master: cluster.master, Worker: cluster.workers[0]?.dataAddress as string };
    for (const method of allMethods()) {
      const raw = new grpc.Client(targets[method.service], grpc.credentials.createInsecure());
      try {
        const out = await rawCall(raw, method, [method.serialize({})], new grpc.Metadata());
        assert.equal(out.code, grpc.status.UNAUTHENTICATED, `${method.service}.${method.name}: ${out.details}`);
      } finally {
        raw.close();
      }
    }
  });

  it('refuse, in one line, a worker --http-port that is taken', async () => {
    const taken = portIn(cluster.masterDaemon.log(), 'status page');
    const out = await runMr(
      ['worker', '--master', cluster.master, '--http-port', String(taken), '--data-dir', path.join(dir, 'w-taken')],
      { env: { MR_TOKEN_FILE: cluster.tokenFile } },
    );
    assert.equal(out.code, 1, out.stderr);
    // After the worker's own log lines (it logs at info): the error, one line, no stack.
    assert.equal(
      out.stderr.trim().split('\n').at(-1),
      `mr: cannot listen on 127.0.0.1:${taken} for --http-port (EADDRINUSE)`,
    );
    assert.doesNotMatch(out.stderr, /\n\s+at /);
  });

  it('say NOT_SERVING for a worker while it drains, SERVING for the rest', async () => {
    const input = path.join(dir, 'drain.txt');
    fs.writeFileSync(input, 'x y\n');
    const gate = path.join(dir, 'drain-gate');
    const job = path.join(FIXTURES, 'gated-wordcount.ts');
    const id = await client.submit(job, { inputs: [input], partitions: 1, params: { mapGate: gate } });
    let busy: TestWorker | undefined;
    await waitUntil('the map runs on a worker', async () => {
      const running = (await client.workers()).find((w) => w.running > 0);
      busy = cluster.workers.find((w) => w.id === running?.workerId);
      return busy !== undefined;
    });
    const draining = busy as TestWorker;
    const other = cluster.workers.find((w) => w !== draining) as TestWorker;
    // SIGTERM drains (the helper's stop() would SIGKILL a worker that takes 5 s).
    const exited = new Promise((resolve) => draining.daemon.process.once('exit', resolve));
    draining.daemon.process.kill('SIGTERM');
    await waitUntil('the draining worker says NOT_SERVING', async () => {
      return (await healthStatus(draining.dataAddress, '')) === 'NOT_SERVING';
    });
    assert.equal(await healthStatus(draining.dataAddress, 'groove.Worker'), 'NOT_SERVING');
    const w = await scrape(workerMetricsUrl.get(draining) as string);
    assert.equal(metricValue(w, 'groove_worker_draining'), 1);
    assert.equal(metricValue(w, 'groove_worker_slots_busy'), 1);
    assert.equal(await healthStatus(other.dataAddress, ''), 'SERVING');
    assert.equal(await healthStatus(cluster.master, ''), 'SERVING');
    // Its running map finishes, then it stops.
    fs.writeFileSync(gate, '');
    await exited;
    await client.kill(id);
  });
});
