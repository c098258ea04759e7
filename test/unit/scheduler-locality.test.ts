import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { nextLocalityTime, placeTasks, planJob, SplitPlan } from '../../master/index.js';
import type { InputFile, Job, JobSpec, Placement, SchedulingPolicy, SlotView } from '../../master/index.js';

const NOW = 1_000_000;
const WAIT = 3000;

/** A job over part files of an earlier job, partition i held by holders[i]; `plain` ordinary files after them. */
function chainedJob(holders: readonly string[], plain = 0): Job {
  const spec: JobSpec = {
    id: 'second',
    name: 'second',
    packHash: 'hash',
    inputs: ['mr://first'],
    partitions: 1,
    params: {},
    sortBufferBytes: 1 << 20,
    maxAttempts: 4,
    speculation: false,
  };
  const files: InputFile[] = [
    ...holders.map((workerId, partition) => ({
      path: `mr://first/${partition}`,
      size: 1000,
      splittable: false,
      location: workerId,
      result: { jobId: 'first', partition, workerId, path: `jobs/first/reduce-0000${partition}-a0/part.data` },
    })),
    ...Array.from({ length: plain }, (_, i) => ({ path: `/in/${i}`, size: 100 })),
  ];
  return planJob(spec, files, 100);
}

function policy(over: Partial<SchedulingPolicy> = {}): SchedulingPolicy {
  return { now: NOW, blacklistAfter: 2, speculationFactor: 2, speculationMinMs: 1000, localityWaitMs: WAIT, ...over };
}

const where = (ps: readonly Placement[]): string[] => ps.map((p) => `${p.task.id}@${p.workerId}`);
const slots = (...free: number[]): SlotView[] => free.map((n, i) => ({ id: `w${i + 1}`, free: n }));

describe('SplitPlan over part files', () => {
  it('gives each part file one split, however large, with its holder', () => {
    const plan = new SplitPlan(
      [
        {
          path: 'mr://a/0',
          size: 10_000,
          splittable: false,
          location: 'w1',
          result: { jobId: 'a', partition: 0, workerId: 'w1', path: 'p' },
        },
        { path: '/x', size: 250 },
      ],
      100,
    );
    assert.equal(plan.count, 1 + 3);
    assert.deepEqual(plan.split(0), {
      pieces: [
        {
          path: 'mr://a/0',
          start: 0,
          length: 10_000,
          fileSize: 10_000,
          result: { jobId: 'a', partition: 0, workerId: 'w1', path: 'p' },
        },
      ],
      length: 10_000,
      location: 'w1',
    });
    assert.equal(plan.split(1).pieces[0]?.result, undefined);
    assert.equal(plan.resultFileCount, 1);
  });
});

describe('placeTasks: locality', () => {
  it('sends every map to the worker holding its input when each has a free slot', () => {
    const job = chainedJob(['w3', 'w1', 'w2']);
    // Round-robin alone would put map-00000 on w1.
    assert.deepEqual(where(placeTasks([job], slots(1, 1, 1), policy())), [
      'map-00000@w3',
      'map-00001@w1',
      'map-00002@w2',
    ]);
  });

  it('keeps a map waiting for its busy holder, while other work takes the free slots', () => {
    const job = chainedJob(['w1', 'w1'], 1);
    // w1 has one slot: map-00001 waits for it; the plain map takes w2.
    assert.deepEqual(where(placeTasks([job], slots(1, 1), policy())), ['map-00000@w1', 'map-00002@w2']);
    assert.equal(nextLocalityTime([job], WAIT, NOW), NOW + WAIT);
  });

  it('runs a waiting map anywhere once the wait is over, so no slot idles behind a busy holder', () => {
    const job = chainedJob(['w1', 'w1']);
    assert.deepEqual(where(placeTasks([job], slots(1, 1), policy())), ['map-00000@w1']);
    job.startAttempt(job.map(0), 'w1', NOW, false);
    // Still within the wait: w2 stays free.
    const soon = policy({ now: NOW + WAIT - 1 });
    assert.deepEqual(where(placeTasks([job], slots(0, 1), soon)), []);
    assert.deepEqual(where(placeTasks([job], slots(0, 1), policy({ now: NOW + WAIT }))), ['map-00001@w2']);
    // Nothing waits any more: no wake-up is needed.
    job.startAttempt(job.map(1), 'w2', NOW + WAIT, false);
    assert.equal(nextLocalityTime([job], WAIT, NOW + WAIT), undefined);
  });

  it('does not wait with a wait of 0, for a holder that is gone, or for one the task failed on', () => {
    const job = chainedJob(['w1', 'w9', 'w1']);
    assert.deepEqual(where(placeTasks([job], slots(0, 3), policy({ localityWaitMs: 0 }))), [
      'map-00000@w2',
      'map-00001@w2',
      'map-00002@w2',
    ]);
    const again = chainedJob(['w1', 'w9']);
    const a = again.startAttempt(again.map(0), 'w1', NOW, false);
    again.endAttempt(again.map(0), a.n);
    again.failAttempt(again.map(0), a, 'boom', '', Infinity);
    again.requeue(again.map(0));
    // map-00000 failed on its holder w1: it runs elsewhere; w9 is not in the cluster.
    assert.deepEqual(where(placeTasks([again], slots(1, 1), policy())), ['map-00001@w1', 'map-00000@w2']);
  });

  it('leaves jobs without preferred workers as they were (round-robin)', () => {
    const job = chainedJob([], 3);
    assert.equal(job.mapsWithLocality, 0);
    assert.deepEqual(where(placeTasks([job], slots(1, 1, 1), policy())), [
      'map-00000@w1',
      'map-00001@w2',
      'map-00002@w3',
    ]);
  });
});
