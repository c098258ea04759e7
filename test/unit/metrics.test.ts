import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import type * as http from 'node:http';
import { ATTEMPT_FAILURE_REASONS, AttemptMetrics, promClient, toAttemptFailureReason } from '../../common/index.js';
import { MasterMetrics } from '../../master/index.js';
import { httpTokenAccepted, isHealthMethod } from '../../proto/wire/index.js';
import type { TaskUpdate__Output } from '../../proto/wire/generated/groove/TaskUpdate';
import { failureReasonOf } from '../../worker/index.js';
import { metricValue, parsePrometheusText } from '../helpers/prometheus-text.js';

async function samplesOf(registry: { metrics(): Promise<string> }) {
  return parsePrometheusText(await registry.metrics());
}

function report(over: Partial<TaskUpdate__Output>): TaskUpdate__Output {
  return {
    jobId: 'j',
    taskId: 'map-00000',
    attempt: 0,
    outcome: 'TASK_FAILED',
    error: 'x',
    errorDetail: '',
    mapOutput: null,
    reduceOutput: null,
    counters: {},
    stats: null,
    lostMapTasks: [],
    userError: false,
    permanentError: false,
    failureReason: '',
    ...over,
  };
}

describe('the Prometheus text parser of the tests', () => {
  it('reads names, labels (escaped too) and values, and skips comments', () => {
    const samples = parsePrometheusText(
      [
        '# HELP a_total A counter.',
        '# TYPE a_total counter',
        'a_total{kind="map",why="say \\"hi\\"\\\\n"} 3',
        'b 1.5e3',
        'c_bucket{le="+Inf"} 7 1700000000000',
        '',
      ].join('\n'),
    );
    assert.deepEqual(samples, [
      { name: 'a_total', labels: { kind: 'map', why: 'say "hi"\\n' }, value: 3 },
      { name: 'b', labels: {}, value: 1500 },
      { name: 'c_bucket', labels: { le: '+Inf' }, value: 7 },
    ]);
    assert.equal(metricValue(samples, 'a_total', { kind: 'map' }), 3);
    assert.throws(() => metricValue(samples, 'a_total', { kind: 'reduce' }), /no sample/);
  });

  it('refuses a line that is no sample', () => {
    assert.throws(() => parsePrometheusText('a_total{kind="map" 3\n'), /not a Prometheus sample line/);
    assert.throws(() => parsePrometheusText('a_total three\n'), /bad sample value/);
  });
});

describe('attempt metrics', () => {
  it('count attempts by outcome, failures by reason, bytes and durations of successes', async () => {
    const registry = new (promClient().Registry)();
    const m = new AttemptMetrics(registry, 'test_', 'of the test');
    m.ended({ kind: 'map', succeeded: true, stats: { bytesIn: 100, bytesOut: 40, millis: 250 } });
    m.ended({
      kind: 'reduce',
      succeeded: true,
      stats: { bytesIn: 40, bytesOut: 12, millis: 1500 },
      counters: { 'groove.reduce.fetch.bytes': 30, 'groove.reduce.fetch.millis': 20 },
    });
    m.ended({ kind: 'map', succeeded: false, reason: 'timeout' });
    m.ended({ kind: 'map', succeeded: false, reason: 'cancelled' });
    m.failedUnreported('reduce', 'lost_worker', 2);
    const s = await samplesOf(registry);
    assert.equal(metricValue(s, 'test_attempts_total', { kind: 'map', outcome: 'succeeded' }), 1);
    assert.equal(metricValue(s, 'test_attempts_total', { kind: 'map', outcome: 'failed' }), 1);
    assert.equal(metricValue(s, 'test_attempts_total', { kind: 'map', outcome: 'cancelled' }), 1);
    assert.equal(metricValue(s, 'test_attempts_total', { kind: 'reduce', outcome: 'failed' }), 2);
    assert.equal(metricValue(s, 'test_attempts_failed_total', { kind: 'map', reason: 'timeout' }), 1);
    assert.equal(metricValue(s, 'test_attempts_failed_total', { kind: 'reduce', reason: 'lost_worker' }), 2);
    // A cancel is no failure.
    assert.equal(metricValue(s, 'test_attempts_failed_total'), 3);
    assert.ok(!s.some((x) => x.labels['reason'] === 'cancelled'));
    assert.equal(metricValue(s, 'test_bytes_read_total'), 100);
    assert.equal(metricValue(s, 'test_bytes_shuffled_total'), 40);
    assert.equal(metricValue(s, 'test_bytes_fetched_total'), 30);
    assert.equal(metricValue(s, 'test_bytes_written_total', { kind: 'map' }), 40);
    assert.equal(metricValue(s, 'test_bytes_written_total', { kind: 'reduce' }), 12);
    assert.equal(metricValue(s, 'test_task_duration_seconds_sum', { kind: 'reduce' }), 1.5);
    assert.equal(metricValue(s, 'test_task_duration_seconds_bucket', { kind: 'map', le: '0.25' }), 1);
    assert.equal(metricValue(s, 'test_task_duration_seconds_bucket', { kind: 'map', le: '0.1' }), 0);
    assert.equal(metricValue(s, 'test_fetch_duration_seconds_count'), 1);
    assert.equal(metricValue(s, 'test_fetch_duration_seconds_sum'), 0.02);
  });

  it('take a report of nonsense numbers as 0, never throwing', async () => {
    const registry = new (promClient().Registry)();
    const m = new AttemptMetrics(registry, 'test_', 'of the test');
    m.ended({
      kind: 'reduce',
      succeeded: true,
      stats: { bytesIn: -5, bytesOut: NaN, millis: Infinity },
      counters: { 'groove.reduce.fetch.bytes': 7, 'groove.reduce.fetch.millis': -1 },
    });
    const s = await samplesOf(registry);
    assert.equal(metricValue(s, 'test_attempts_total', { kind: 'reduce', outcome: 'succeeded' }), 1);
    assert.equal(metricValue(s, 'test_bytes_shuffled_total'), 0);
    assert.equal(metricValue(s, 'test_bytes_written_total'), 0);
    assert.equal(metricValue(s, 'test_task_duration_seconds_sum'), 0);
    assert.equal(metricValue(s, 'test_bytes_fetched_total'), 7);
    assert.equal(metricValue(s, 'test_fetch_duration_seconds_sum'), 0);
  });

  it('show every series from the start, at 0, with help', async () => {
    const registry = new (promClient().Registry)();
    new AttemptMetrics(registry, 'test_', 'of the test');
    const s = await samplesOf(registry);
    for (const kind of ['map', 'reduce'])
      for (const reason of ATTEMPT_FAILURE_REASONS.filter((r) => r !== 'cancelled'))
        assert.equal(metricValue(s, 'test_attempts_failed_total', { kind, reason }), 0);
    const text = await registry.metrics();
    for (const name of new Set(s.map((x) => x.name.replace(/_(bucket|sum|count)$/, ''))))
      assert.match(text, new RegExp(`^# HELP ${name} \\S`, 'm'));
  });

  it('keep registries apart: two masters in one process count their own', async () => {
    const source = { jobs: () => [], workers: () => [] };
    const a = new MasterMetrics(source);
    const b = new MasterMetrics(source);
    a.taskReport(report({ userError: true }));
    assert.equal(metricValue(await samplesOf(a), 'groove_attempts_failed_total'), 1);
    assert.equal(metricValue(await samplesOf(b), 'groove_attempts_failed_total'), 0);
  });
});

describe('failure reasons', () => {
  it('are one of a fixed set, whatever a worker sends', () => {
    for (const r of ATTEMPT_FAILURE_REASONS) assert.equal(toAttemptFailureReason(r), r);
    assert.equal(toAttemptFailureReason('disk on fire'), 'internal');
    assert.equal(toAttemptFailureReason(''), 'internal');
  });

  it("come from the worker's report, or from its older fields when it sent none", async () => {
    const m = new MasterMetrics({ jobs: () => [], workers: () => [] });
    m.taskReport(report({ failureReason: 'out_of_memory' }));
    m.taskReport(report({ failureReason: 'something new' }));
    m.taskReport(report({ userError: true }));
    m.taskReport(report({ taskId: 'reduce-00001', lostMapTasks: ['map-00003'] }));
    m.taskReport(report({ taskId: 'not-a-task' }));
    const s = await samplesOf(m);
    assert.equal(metricValue(s, 'groove_attempts_failed_total', { kind: 'map', reason: 'out_of_memory' }), 1);
    assert.equal(metricValue(s, 'groove_attempts_failed_total', { kind: 'map', reason: 'internal' }), 1);
    assert.equal(metricValue(s, 'groove_attempts_failed_total', { kind: 'map', reason: 'user_error' }), 1);
    assert.equal(metricValue(s, 'groove_attempts_failed_total', { kind: 'reduce', reason: 'fetch_failure' }), 1);
    assert.equal(metricValue(s, 'groove_attempts_failed_total'), 4);
  });

  it("are the pool's own when it gave one, else the job's code, a fetch, or the worker", () => {
    assert.equal(failureReasonOf({ message: 'm', user: false, reason: 'timeout' }), 'timeout');
    assert.equal(failureReasonOf({ message: 'm', user: true }), 'user_error');
    assert.equal(failureReasonOf({ message: 'm', user: true, permanent: true }), 'user_error');
    assert.equal(failureReasonOf({ message: 'm', user: false, lostMapTasks: ['map-00001'] }), 'fetch_failure');
    assert.equal(failureReasonOf({ message: 'm', user: false, lostMapTasks: [] }), 'internal');
  });
});

describe('the HTTP token check', () => {
  const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as http.IncomingMessage;
  const url = (q = '') => new URL(`http://h/metrics${q}`);
  const token = 't'.repeat(43);

  it('takes the token as a Bearer header or a ?token= parameter', () => {
    assert.equal(httpTokenAccepted(req(`Bearer ${token}`), url(), token), true);
    assert.equal(httpTokenAccepted(req(), url(`?token=${token}`), token), true);
  });

  it('refuses a missing or wrong token, and another scheme', () => {
    assert.equal(httpTokenAccepted(req(), url(), token), false);
    assert.equal(httpTokenAccepted(req('Bearer nope'), url(), token), false);
    assert.equal(httpTokenAccepted(req(`Basic ${token}`), url(), token), false);
    assert.equal(httpTokenAccepted(req(), url('?token=nope'), token), false);
    // A wrong header is not rescued by a right parameter: the header is what was presented.
    assert.equal(httpTokenAccepted(req('Bearer nope'), url(`?token=${token}`), token), false);
  });

  it('lets everything in on a cluster without a token, like the RPCs', () => {
    assert.equal(httpTokenAccepted(req(), url(), undefined), true);
  });
});

describe('the health service exemption', () => {
  it('covers the three methods of grpc.health.v1.Health and nothing else', () => {
    for (const m of ['Check', 'Watch', 'List']) assert.equal(isHealthMethod(`/grpc.health.v1.Health/${m}`), true);
    for (const path of [
      '/grpc.health.v1.Health/Other',
      '/grpc.health.v1.Health/CheckX',
      '/grpc.health.v2.Health/Check',
      '/groove.Master/ListJobs',
      'grpc.health.v1.Health/Check',
    ])
      assert.equal(isHealthMethod(path), false, path);
  });
});
