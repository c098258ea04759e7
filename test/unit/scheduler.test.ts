import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { planJob } from '../../master/index.js';
import type { Job, JobSpec } from '../../master/index.js';
import type { Task } from '../../master/index.js';
import { nextRetryTime, placeTasks, runnableTasks, stragglers } from '../../master/index.js';
import type { Attempt, Placement, SchedulingPolicy, SlotView } from '../../master/index.js';

const NOW = 1_000_000;

/** A planned job with `maps` one-split inputs and `reduces` partitions, no real files. */
function makeJob(maps: number, reduces: number, opts: { id?: string; speculation?: boolean } = {}): Job {
  const spec: JobSpec = {
    id: opts.id ?? 'job-1',
    name: 'test',
    packHash: 'hash',
    inputs: ['/in'],
    partitions: reduces,
    params: {},
    sortBufferBytes: 1 << 20,
    maxAttempts: 4,
    speculation: opts.speculation ?? true,
  };
  const files = Array.from({ length: maps }, (_, i) => ({ path: `/in/part-${i}`, size: 100 }));
  return planJob(spec, files, 100);
}

function policy(over: Partial<SchedulingPolicy> = {}): SchedulingPolicy {
  return { now: NOW, blacklistAfter: 2, speculationFactor: 1.5, speculationMinMs: 1000, ...over };
}

/** Starts an attempt of `task` on `workerId`, begun at `startedAt`. */
function start(job: Job, task: Task, workerId: string, startedAt: number, speculative = false): Attempt {
  return job.startAttempt(task, workerId, startedAt, speculative);
}

/** Runs `task` to success, its winning attempt having taken `duration` ms. */
function succeed(job: Job, task: Task, duration = 1000): void {
  if (task.state === 'pending') start(job, task, 'w0', NOW - duration);
  job.clearAttempts(task);
  job.recordDuration(task.kind, duration);
  job.setTaskState(task, 'succeeded');
}

/** Runs an attempt of a (pending) task on `workerId` that fails, and puts the task back, as the job manager does. */
function failOn(job: Job, task: Task, workerId: string): void {
  const a = start(job, task, workerId, NOW);
  job.endAttempt(task, a.n);
  job.failAttempt(task, a, 'boom', '', Infinity);
  job.requeue(task);
}

/**
 * Charges `failures` failed attempts of the job to a worker, on its first reduce: reduces
 * wait for the maps, so no map's own failures or placement change.
 */
function chargeWorker(job: Job, workerId: string, failures: number): void {
  for (let i = 0; i < failures; i++) failOn(job, job.reduce(0), workerId);
}

const ids = (tasks: readonly Task[]): string[] => tasks.map((t) => t.id);
const where = (ps: readonly Placement[]): string[] =>
  ps.map((p) => `${p.job.id}/${p.task.id}@${p.workerId}${p.speculative ? '*' : ''}`);
const slots = (...free: number[]): SlotView[] => free.map((n, i) => ({ id: `w${i + 1}`, free: n }));

describe('runnableTasks', () => {
  it('offers pending maps, and reduces only once every map succeeded', () => {
    const job = makeJob(3, 2);
    assert.deepEqual(ids(runnableTasks(job, NOW)), ['map-00000', 'map-00001', 'map-00002']);
    succeed(job, job.map(0));
    start(job, job.map(1), 'w1', NOW);
    assert.deepEqual(ids(runnableTasks(job, NOW)), ['map-00002']);
    succeed(job, job.map(2));
    // Only a running map is left: nothing is runnable, reduces still wait.
    assert.deepEqual(ids(runnableTasks(job, NOW)), []);
    succeed(job, job.map(1));
    assert.deepEqual(ids(runnableTasks(job, NOW)), ['reduce-00000', 'reduce-00001']);
    // A map whose output was lost runs again, and the reduces wait for it again.
    job.setTaskState(job.map(1), 'pending');
    assert.deepEqual(ids(runnableTasks(job, NOW)), ['map-00001']);
  });

  it('holds back tasks whose notBefore is in the future', () => {
    const job = makeJob(3, 1);
    job.holdBack(job.map(0), NOW + 500);
    job.holdBack(job.map(1), NOW);
    job.holdBack(job.map(2), NOW - 1);
    assert.deepEqual(ids(runnableTasks(job, NOW)), ['map-00001', 'map-00002']);
    assert.deepEqual(ids(runnableTasks(job, NOW + 500)), ['map-00000', 'map-00001', 'map-00002']);
  });

  it('offers nothing of a finished job', () => {
    const job = makeJob(2, 1);
    job.finish('killed');
    assert.deepEqual(runnableTasks(job, NOW), []);
  });
});

describe('nextRetryTime', () => {
  it('is the earliest future notBefore of a pending task of an unfinished job', () => {
    const a = makeJob(2, 1, { id: 'a' });
    const b = makeJob(2, 1, { id: 'b' });
    const done = makeJob(1, 1, { id: 'done' });
    assert.equal(nextRetryTime([a, b], NOW), undefined);
    a.holdBack(a.map(0), NOW + 300);
    b.holdBack(b.map(1), NOW + 100);
    b.holdBack(b.map(0), NOW - 50); // already due: not a wake-up time
    start(a, a.map(1), 'w1', NOW);
    a.holdBack(a.map(1), NOW + 10); // running: not waiting for anything
    done.holdBack(done.map(0), NOW + 5);
    done.finish('failed', 'boom');
    assert.equal(nextRetryTime([a, b, done], NOW), NOW + 100);
    assert.equal(nextRetryTime([a], NOW), NOW + 300);
    assert.equal(nextRetryTime([a, b], NOW + 300), undefined);
  });
});

describe('placeTasks', () => {
  it('fills free slots round-robin across workers', () => {
    const job = makeJob(6, 1);
    assert.deepEqual(where(placeTasks([job], slots(2, 2, 2), policy())), [
      'job-1/map-00000@w1',
      'job-1/map-00001@w2',
      'job-1/map-00002@w3',
      'job-1/map-00003@w1',
      'job-1/map-00004@w2',
      'job-1/map-00005@w3',
    ]);
  });

  it('never places more on a worker than its free slots, and stops when slots run out', () => {
    const job = makeJob(6, 1);
    const placed = placeTasks([job], slots(3, 1, 0), policy());
    assert.deepEqual(where(placed), [
      'job-1/map-00000@w1',
      'job-1/map-00001@w2',
      'job-1/map-00002@w1',
      'job-1/map-00003@w1',
    ]);
    assert.equal(new Set(placed.map((p) => p.task.id)).size, placed.length, 'a task placed twice');
    assert.deepEqual(placeTasks([job], slots(0, 0), policy()), []);
  });

  it('serves jobs first come, first served', () => {
    const a = makeJob(2, 1, { id: 'a' });
    const b = makeJob(3, 1, { id: 'b' });
    assert.deepEqual(where(placeTasks([a, b], slots(2, 1), policy())), [
      'a/map-00000@w1',
      'a/map-00001@w2',
      'b/map-00000@w1',
    ]);
    assert.deepEqual(where(placeTasks([b, a], slots(2, 1), policy())), [
      'b/map-00000@w1',
      'b/map-00001@w2',
      'b/map-00002@w1',
    ]);
  });

  it('places a retry on a worker where the task has not failed, if one has a free slot', () => {
    const job = makeJob(1, 1);
    failOn(job, job.map(0), 'w1');
    // Round-robin alone would pick w1 first.
    assert.deepEqual(where(placeTasks([job], slots(1, 1), policy({ blacklistAfter: 5 }))), ['job-1/map-00000@w2']);
    // w2 is only busy: the retry waits for it rather than going back to w1 (scheduler.ts doc).
    assert.deepEqual(where(placeTasks([job], slots(1, 0), policy({ blacklistAfter: 5 }))), []);
  });

  it('runs a retry on a failed-on worker when no other usable worker exists', () => {
    const job = makeJob(1, 1);
    failOn(job, job.map(0), 'w1');
    // w1 is the only worker.
    assert.deepEqual(where(placeTasks([job], slots(1), policy({ blacklistAfter: 5 }))), ['job-1/map-00000@w1']);
    // It failed on every worker: it runs where a slot is free.
    failOn(job, job.map(0), 'w2');
    assert.deepEqual(where(placeTasks([job], slots(0, 1), policy({ blacklistAfter: 5 }))), ['job-1/map-00000@w2']);
    // The only other worker is blacklisted for the job (w1 has 1 failure, w3 has 2): back to w1.
    const other = makeJob(1, 1);
    failOn(other, other.map(0), 'w1');
    chargeWorker(other, 'w3', 2);
    assert.deepEqual(
      where(
        placeTasks(
          [other],
          [
            { id: 'w1', free: 1 },
            { id: 'w3', free: 1 },
          ],
          policy(),
        ),
      ),
      ['job-1/map-00000@w1'],
    );
  });

  it('gives a blacklisted worker none of the job while another worker is usable', () => {
    const job = makeJob(3, 1);
    chargeWorker(job, 'w1', 2);
    chargeWorker(job, 'w2', 1); // below the limit: still usable
    assert.deepEqual(where(placeTasks([job], slots(2, 1), policy())), ['job-1/map-00000@w2']);
    // A usable worker without a free slot still counts: w1 waits rather than takes the job.
    assert.deepEqual(where(placeTasks([job], slots(2, 0), policy())), []);
  });

  it('uses blacklisted workers when every worker is blacklisted for the job', () => {
    const job = makeJob(3, 1);
    chargeWorker(job, 'w1', 2);
    chargeWorker(job, 'w2', 3);
    assert.deepEqual(where(placeTasks([job], slots(1, 1), policy())), ['job-1/map-00000@w1', 'job-1/map-00001@w2']);
  });

  it('blacklists per job: other jobs still go to the worker', () => {
    const a = makeJob(3, 1, { id: 'a' });
    const b = makeJob(2, 1, { id: 'b' });
    chargeWorker(a, 'w1', 2);
    assert.deepEqual(where(placeTasks([a, b], slots(2, 1), policy())), [
      'a/map-00000@w2',
      'b/map-00000@w1',
      'b/map-00001@w1',
    ]);
  });
});

describe('stragglers', () => {
  it('finds none until a quarter of the kind (at least one) has finished', () => {
    const job = makeJob(8, 1);
    start(job, job.map(7), 'w1', NOW - 60_000);
    assert.deepEqual(stragglers(job, policy()), []);
    succeed(job, job.map(0), 1000);
    assert.deepEqual(stragglers(job, policy()), [], 'one of eight is not a quarter');
    succeed(job, job.map(1), 1000);
    assert.deepEqual(ids(stragglers(job, policy())), ['map-00007']);

    const small = makeJob(3, 1);
    start(small, small.map(2), 'w1', NOW - 60_000);
    assert.deepEqual(stragglers(small, policy()), [], 'no finished peer at all');
    succeed(small, small.map(0), 1000);
    assert.deepEqual(ids(stragglers(small, policy())), ['map-00002']);
  });

  it('flags an attempt older than max(speculationMinMs, factor x median peer duration)', () => {
    const job = makeJob(6, 1);
    succeed(job, job.map(0), 1000);
    succeed(job, job.map(1), 2000);
    succeed(job, job.map(2), 9000); // median 2000 (a mean would be 4000)
    start(job, job.map(3), 'w1', NOW - 3001);
    start(job, job.map(4), 'w1', NOW - 3000);
    start(job, job.map(5), 'w2', NOW - 2500);
    assert.deepEqual(ids(stragglers(job, policy())), ['map-00003']);
    // A higher floor wins over factor x median.
    assert.deepEqual(stragglers(job, policy({ speculationMinMs: 3500 })), []);
    assert.deepEqual(ids(stragglers(job, policy({ now: NOW + 501, speculationMinMs: 3500 }))), [
      'map-00003',
      'map-00004',
    ]);
  });

  it('compares a task only with finished peers of its own kind', () => {
    const job = makeJob(2, 4);
    succeed(job, job.map(0), 10);
    succeed(job, job.map(1), 10);
    succeed(job, job.reduce(0), 2000);
    start(job, job.reduce(1), 'w1', NOW - 2500);
    // Threshold from reduces: 1.5 x 2000 = 3000 > 2500. Mixed with the maps it would be 1000.
    assert.deepEqual(stragglers(job, policy({ speculationMinMs: 0 })), []);
    assert.deepEqual(ids(stragglers(job, policy({ speculationMinMs: 0, now: NOW + 501 }))), ['reduce-00001']);
  });

  it('backs up no reduce while a lost map output is computed again', () => {
    const job = makeJob(2, 4);
    succeed(job, job.map(0), 10);
    succeed(job, job.map(1), 10);
    succeed(job, job.reduce(0), 100);
    start(job, job.reduce(1), 'w1', NOW - 60_000);
    assert.deepEqual(ids(stragglers(job, policy())), ['reduce-00001']);
    // The worker holding map 0's output left: the map runs again, the reduces wait for it.
    job.setTaskState(job.map(0), 'pending');
    assert.deepEqual(stragglers(job, policy()), []);
  });

  it('skips tasks already backed up, with two attempts, or of a job without speculation', () => {
    const build = (speculation: boolean): Job => {
      const job = makeJob(4, 1, { speculation });
      succeed(job, job.map(0), 1000);
      for (const i of [1, 2, 3]) start(job, job.map(i), 'w1', NOW - 60_000);
      return job;
    };
    const job = build(true);
    // Its backup already failed: one attempt left, no second backup.
    job.endAttempt(job.map(1), start(job, job.map(1), 'w2', NOW - 100, true).n);
    start(job, job.map(2), 'w2', NOW - 100, true);
    assert.deepEqual(ids(stragglers(job, policy())), ['map-00003']);
    assert.deepEqual(stragglers(build(false), policy()), []);
    const finished = build(true);
    finished.finish('killed');
    assert.deepEqual(stragglers(finished, policy()), []);
  });
});

describe('placeTasks: backup attempts', () => {
  /** Four maps: two done in 1 s, map-00002 running for a minute on `on`, map-00003 pending. */
  function slowJob(on: string, speculation = true): Job {
    const job = makeJob(4, 1, { speculation });
    succeed(job, job.map(0), 1000);
    succeed(job, job.map(1), 1000);
    start(job, job.map(2), on, NOW - 60_000);
    return job;
  }

  it('places a backup after the runnable tasks, on another worker, marked speculative', () => {
    const job = slowJob('w1');
    assert.deepEqual(where(placeTasks([job], slots(1, 1), policy())), ['job-1/map-00003@w1', 'job-1/map-00002@w2*']);
    const job2 = slowJob('w1');
    start(job2, job2.map(3), 'w2', NOW);
    assert.deepEqual(where(placeTasks([job2], slots(2, 0, 1), policy())), ['job-1/map-00002@w3*']);
  });

  it('places no backup when only the running worker or blacklisted workers have slots', () => {
    const job = slowJob('w1');
    start(job, job.map(3), 'w2', NOW);
    assert.deepEqual(placeTasks([job], slots(3), policy()), []);
    chargeWorker(job, 'w2', 2);
    assert.deepEqual(placeTasks([job], slots(3, 1), policy()), []);
    const below = slowJob('w1');
    start(below, below.map(3), 'w2', NOW);
    chargeWorker(below, 'w2', 1);
    assert.deepEqual(where(placeTasks([below], slots(3, 1), policy())), ['job-1/map-00002@w2*']);
  });

  it('places no backup for a job without speculation', () => {
    const job = slowJob('w1', false);
    start(job, job.map(3), 'w2', NOW);
    assert.deepEqual(placeTasks([job], slots(1, 1, 1), policy()), []);
  });
});
