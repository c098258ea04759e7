import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { CounterTable } from '../../master/index.js';
import { HostTable } from '../../master/index.js';
import { SplitPlan, splitInputs } from '../../master/index.js';
import type { InputSplit } from '../../master/index.js';
import { planJob } from '../../master/index.js';
import type { Job, JobSpec } from '../../master/index.js';
import { TaskOutputs } from '../../master/index.js';

function makeJob(maps: number, partitions: number): Job {
  const spec: JobSpec = {
    id: 'job-1',
    name: 'test',
    packHash: 'hash',
    inputs: ['/in'],
    partitions,
    params: {},
    sortBufferBytes: 1 << 20,
    maxAttempts: 4,
    speculation: false,
  };
  return planJob(spec, [{ path: '/in/a', size: maps }], 1);
}

describe('TaskOutputs', () => {
  it('reads back what was set per task, across blocks, until cleared', () => {
    const out = new TaskOutputs(10_000, 3);
    assert.equal(out.has(0), false);
    assert.equal(out.host(9_999), -1);
    out.set(0, 2, 7, [0, 10, 25]);
    out.set(4_095, 0, 1, [0, 0, 0]);
    out.set(4_096, 1, 3, [5, 6, 2 ** 40]);
    out.set(9_999, 0, 4_000_000_000, [1, 2, 3]);
    assert.deepEqual([out.host(0), out.attempt(0), out.values(0)], [2, 7, [0, 10, 25]]);
    assert.deepEqual([out.host(4_096), out.attempt(4_096), out.values(4_096)], [1, 3, [5, 6, 2 ** 40]]);
    assert.equal(out.value(9_999, 2), 3);
    assert.equal(out.attempt(9_999), 4_000_000_000);
    assert.deepEqual(out.onHosts(new Set([0])), [4_095, 9_999]);
    assert.deepEqual(out.onHosts(new Set([0, 2])), [0, 4_095, 9_999]);
    // A task committed again elsewhere (its output was lost) has only the new location.
    out.clear(0);
    assert.equal(out.has(0), false);
    assert.deepEqual(out.onHosts(new Set([2])), []);
    out.set(0, 1, 9, [0, 3, 4]);
    assert.deepEqual([out.host(0), out.attempt(0), out.values(0)], [1, 9, [0, 3, 4]]);
    assert.deepEqual(out.onHosts(new Set([1])), [0, 4_096]);
  });

  it('refuses an output of the wrong size and tasks it does not have', () => {
    const out = new TaskOutputs(2, 3);
    assert.throws(() => out.set(0, 0, 0, [1, 2]), RangeError);
    assert.throws(() => out.set(2, 0, 0, [1, 2, 3]), RangeError);
    assert.throws(() => out.host(-1), RangeError);
    assert.throws(() => out.value(0, 3), RangeError);
  });
});

describe('HostTable', () => {
  it('stores each worker once; a worker back on a new address moves all its outputs there', () => {
    const hosts = new HostTable();
    const a = hosts.intern('w1', '10.0.0.1:7001');
    assert.equal(hosts.intern('w2', '10.0.0.2:7001'), a + 1);
    assert.equal(hosts.intern('w1', '10.0.0.1:7001'), a);
    assert.equal(hosts.intern('w1', '10.0.0.9:7001'), a);
    assert.deepEqual(hosts.get(a), { workerId: 'w1', dataAddress: '10.0.0.9:7001' });
    hosts.readdress('w1', '10.0.0.9:7777');
    hosts.readdress('w3', '10.0.0.3:7001');
    assert.deepEqual(hosts.get(a), { workerId: 'w1', dataAddress: '10.0.0.9:7777' });
    assert.deepEqual(hosts.indicesOf('w1'), [a]);
    assert.deepEqual(hosts.indicesOf('w3'), []);
    assert.throws(() => hosts.get(2), RangeError);
  });
});

describe('CounterTable', () => {
  it('sums committed shares, replaces a task committed again, and takes shares back', () => {
    const c = new CounterTable(3);
    c.commit(0, { records: 5, bytes: 100, zero: 0 });
    c.commit(1, { records: 7, extra: 1.5 });
    assert.deepEqual({ ...c.totals }, { records: 12, bytes: 100, zero: 0, extra: 1.5 });
    assert.equal(c.share(1, 'extra'), 1.5);
    // Task 0 ran again after its output was lost: only its new counters count.
    c.commit(0, { records: 2 });
    assert.deepEqual({ ...c.totals }, { records: 9, bytes: 0, zero: 0, extra: 1.5 });
    c.uncommit(1);
    c.uncommit(1);
    assert.deepEqual({ ...c.totals }, { records: 2, bytes: 0, zero: 0, extra: 0 });
    assert.equal(c.share(1, 'records'), 0);
    assert.throws(() => c.uncommit(3), RangeError);
  });
});

describe('SplitPlan', () => {
  it('gives every split of many files from their sizes alone', () => {
    const files = [
      { path: 'a', size: 25 },
      { path: 'e', size: 0 },
      { path: 'b', size: 10 },
      { path: 'c', size: 109 },
      { path: 'd', size: 30 },
    ];
    const plan = new SplitPlan(files, { chunkSize: 10, pack: false });
    const one = (path: string, start: number, length: number, fileSize: number): InputSplit => ({
      pieces: [{ path, start, length, fileSize }],
      length,
    });
    assert.equal(plan.count, 3 + 1 + 1 + 11 + 3);
    assert.deepEqual(plan.split(2), one('a', 20, 5, 25));
    assert.deepEqual(plan.split(3), one('e', 0, 0, 0));
    assert.deepEqual(plan.split(4), one('b', 0, 10, 10));
    assert.deepEqual(plan.split(15), one('c', 100, 9, 109));
    assert.deepEqual(plan.split(18), one('d', 20, 10, 30));
    assert.throws(() => plan.split(19), RangeError);
    // Packed, the empty file joins b: a chunked file (a) is never packed.
    const packed = new SplitPlan(files, 10);
    assert.equal(packed.count, 3 + 1 + 11 + 3);
    assert.deepEqual(packed.split(3), {
      pieces: [
        { path: 'e', start: 0, length: 0, fileSize: 0 },
        { path: 'b', start: 0, length: 10, fileSize: 10 },
      ],
      length: 10,
    });
    assert.deepEqual(packed.split(14), one('c', 100, 9, 109));
    assert.deepEqual(splitInputs([], 10), []);
  });

  it('plans a million one-byte splits without making them', () => {
    const plan = new SplitPlan([{ path: 'big', size: 1_000_000 }], 1);
    assert.equal(plan.count, 1_000_000);
    assert.deepEqual(plan.split(999_999), {
      pieces: [{ path: 'big', start: 999_999, length: 1, fileSize: 1_000_000 }],
      length: 1,
    });
  });
});

describe('Job columns', () => {
  it('reads a map output location back as the worker reported it, with its directory derived', () => {
    const job = makeJob(3, 2);
    const m = job.map(1);
    job.setMapOutput(m, 'w1', '10.0.0.1:7001', 4, [0, 10, 30]);
    assert.deepEqual(job.mapOutput(m), {
      workerId: 'w1',
      dataAddress: '10.0.0.1:7001',
      attempt: 4,
      dir: 'jobs/job-1/map-00001-a4',
      offsets: [0, 10, 30],
    });
    assert.equal(job.mapOutput(job.map(0)), undefined);
    assert.throws(() => job.setMapOutput(m, 'w1', '10.0.0.1:7001', 4, [0, 10]), RangeError);
    const r = job.reduce(1);
    job.setPartFile(r, 'w2', '10.0.0.2:7001', 0, 12, 345);
    assert.deepEqual(job.partFile(r), {
      workerId: 'w2',
      dataAddress: '10.0.0.2:7001',
      attempt: 0,
      path: 'jobs/job-1/reduce-00001-a0/part.data',
      records: 12,
      bytes: 345,
    });
    assert.deepEqual(
      job.outputsOn('map', 'w1').map((t) => t.id),
      ['map-00001'],
    );
    assert.deepEqual(job.outputsOn('reduce', 'w1'), []);
    job.dropOutput(m);
    assert.equal(job.mapOutput(m), undefined);
    assert.deepEqual(job.outputsOn('map', 'w1'), []);
  });

  it('offers pending tasks never started in order, then those put back in the order they came back', () => {
    const job = makeJob(5, 1);
    const ids = (): string[] => [...job.pendingTasks('map')].map((t) => t.id);
    const run = (i: number): void => job.setTaskState(job.map(i), 'running');
    run(0);
    run(2);
    run(4);
    assert.deepEqual(ids(), ['map-00001', 'map-00003']);
    job.setTaskState(job.map(4), 'pending');
    job.setTaskState(job.map(0), 'succeeded');
    job.setTaskState(job.map(0), 'pending');
    assert.deepEqual(ids(), ['map-00001', 'map-00003', 'map-00004', 'map-00000']);
    run(4);
    run(1);
    assert.deepEqual(ids(), ['map-00003', 'map-00000']);
    assert.deepEqual(
      job.runningTasks().map((t) => t.id),
      ['map-00002', 'map-00004', 'map-00001'],
    );
  });

  it('keeps sparse records only while a task runs, failed or waits', () => {
    const job = makeJob(4, 1);
    const t = job.map(2);
    job.setTaskState(t, 'running');
    job.startAttempt(t, 'w1', 1, false);
    job.startAttempt(t, 'w2', 2, true);
    assert.equal(job.maps.extrasCount, 1);
    assert.deepEqual(
      job.tasksWithAttempts().map((x) => x.id),
      ['map-00002'],
    );
    job.endAttempt(t, 0);
    assert.equal(job.map(2).runningCount, 1);
    job.clearAttempts(t);
    assert.equal(job.maps.extrasCount, 0);
    job.markFailedOn(job.map(3), 'w1');
    job.holdBack(job.map(3), 500);
    assert.equal(job.map(3).hasFailedOn('w1'), true);
    assert.equal(job.map(3).notBefore, 500);
    assert.equal(job.maps.extrasCount, 1);
  });
});
