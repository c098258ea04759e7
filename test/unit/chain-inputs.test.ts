import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { UserError } from '../../common/index.js';
import { lostResultInput, mapInputOf, planJob, resolveResultInput, SplitPlan } from '../../master/index.js';
import type { ChainLookup, Job, JobSpec } from '../../master/index.js';
import { parseResultUri } from '../../proto/formats/index.js';
import { inputName, resultsOf } from '../../sdk/index.js';

const STATS = { recordsIn: 0, recordsOut: 0, spills: 0, millis: 0 };

function spec(id: string, partitions: number): JobSpec {
  return {
    id,
    name: id,
    packHash: 'hash',
    inputs: ['/in'],
    partitions,
    params: {},
    sortBufferBytes: 1 << 20,
    maxAttempts: 4,
    speculation: false,
  };
}

/** A job of one map whose reduces committed their part files on `holders[p]`, ended as `state`. */
function finishedJob(id: string, holders: readonly string[], state: 'succeeded' | 'failed' | 'running'): Job {
  const job = planJob(spec(id, holders.length), [{ path: '/in/a', size: 10 }], 100);
  if (state === 'running') return job;
  const map = job.map(0);
  const a = job.startAttempt(map, 'w1', 0, false);
  job.endAttempt(map, a.n);
  job.commit(map, a, 'host1:1', { offsets: holders.map(() => 0).concat(0) }, {}, STATS);
  if (state === 'failed') {
    job.failBecauseOf(job.reduce(0), 'reduce-00000: exploded\n  at stack');
    return job;
  }
  holders.forEach((w, p) => {
    const t = job.reduce(p);
    const r = job.startAttempt(t, w, 0, false);
    job.endAttempt(t, r.n);
    job.commit(t, r, `${w}:1`, { records: 1, bytes: 100 + p }, {}, STATS);
  });
  job.finish('succeeded');
  return job;
}

function lookup(jobs: Job[], lost: readonly string[] = []): ChainLookup {
  return {
    job: (id) => jobs.find((j) => j.id === id),
    workerState: (id) => (lost.includes(id) ? 'lost' : 'alive'),
  };
}

/** The message of the UserError `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UserError, String(err));
    assert.doesNotMatch(err.message, /\n/);
    return err.message;
  }
  assert.fail('no error');
}

describe('mr:// inputs', () => {
  const first = finishedJob('first', ['w2', 'w3', 'w2'], 'succeeded');

  it('parses mr://JOB and mr://JOB/PARTITION, and refuses malformed ones by name', () => {
    assert.deepEqual(parseResultUri('mr://a-1'), { jobId: 'a-1' });
    assert.deepEqual(parseResultUri('mr://a-1/'), { jobId: 'a-1' });
    assert.deepEqual(parseResultUri('mr://a-1/12'), { jobId: 'a-1', partition: 12 });
    assert.match(
      refusal(() => parseResultUri('mr://')),
      /^input mr:\/\/: expected mr:\/\/JOB/,
    );
    assert.match(
      refusal(() => parseResultUri('mr://a/b/c')),
      /expected mr:\/\/JOB or mr:\/\/JOB\/PARTITION/,
    );
    assert.match(
      refusal(() => parseResultUri('mr://a/-1')),
      /the partition must be a number, got "-1"/,
    );
    assert.match(
      refusal(() => parseResultUri('mr://../x')),
      /with a job id/,
    );
  });

  it('resolves every partition to its part file, one split each, preferring its holder', () => {
    const files = resolveResultInput('mr://first', lookup([first]));
    assert.deepEqual(
      files.map((f) => [f.path, f.size, f.result?.workerId, f.result?.partition]),
      [
        ['mr://first/0', 100, 'w2', 0],
        ['mr://first/1', 101, 'w3', 1],
        ['mr://first/2', 102, 'w2', 2],
      ],
    );
    assert.equal(files[1]?.result?.path, 'jobs/first/reduce-00001-a0/part.data');
    const plan = new SplitPlan(files, 10);
    assert.equal(plan.count, 3);
    const input = mapInputOf(plan.split(2), (w) => `${w}.example:7071`);
    assert.equal(plan.split(2).location, 'w2');
    assert.deepEqual(input, {
      pieces: [
        {
          path: 'mr://first/2',
          start: 0,
          length: 102,
          result: {
            jobId: 'first',
            partition: 2,
            workerId: 'w2',
            path: 'jobs/first/reduce-00002-a0/part.data',
            dataAddress: 'w2.example:7071',
            bytes: 102,
          },
        },
      ],
    });
    assert.deepEqual(
      resolveResultInput('mr://first/1', lookup([first])).map((f) => f.path),
      ['mr://first/1'],
    );
  });

  it('refuses, in one line naming the input, a job that is unknown, running, failed, or lost', () => {
    assert.equal(
      refusal(() => resolveResultInput('mr://nope', lookup([first]))),
      'input mr://nope: no such job nope (mr jobs lists the jobs the master holds)',
    );
    const running = finishedJob('running', ['w1'], 'running');
    assert.match(
      refusal(() => resolveResultInput('mr://running', lookup([running]))),
      /is still running/,
    );
    const failed = finishedJob('failed', ['w1'], 'failed');
    assert.equal(
      refusal(() => resolveResultInput('mr://failed', lookup([failed]))),
      'input mr://failed: job failed failed: reduce-00000: exploded, so it has no results to read',
    );
    assert.match(
      refusal(() => resolveResultInput('mr://first/3', lookup([first]))),
      /^input mr:\/\/first\/3: job first has 3 partitions \(0 to 2\), not 3$/,
    );
    assert.match(
      refusal(() => resolveResultInput('mr://first', lookup([first], ['w3']))),
      /^input mr:\/\/first\/1: its part file was on worker w3, which is gone; job first is not re-run/,
    );
    // Only the lost holder's partition matters.
    assert.equal(resolveResultInput('mr://first/0', lookup([first], ['w3'])).length, 1);
  });

  it('names the chained map that lost its input with a worker, until that map committed', () => {
    const second = planJob(spec('second', 1), resolveResultInput('mr://first', lookup([first])), 100);
    assert.equal(second.mapsWithLocality, 3);
    assert.match(
      lostResultInput(second, 'w3')?.error ?? '',
      /^input mr:\/\/first\/1: its part file was lost with worker w3/,
    );
    assert.equal(lostResultInput(second, 'w1'), undefined);
    const map = second.map(1);
    const a = second.startAttempt(map, 'w3', 0, false);
    second.endAttempt(map, a.n);
    second.commit(map, a, 'w3:1', { offsets: [0, 0] }, {}, STATS);
    assert.equal(lostResultInput(second, 'w3'), undefined);
  });

  it('takes resultsOf(id) in the SDK as mr://ID, and refuses a malformed one', () => {
    assert.equal(inputName(resultsOf('first')), 'mr://first');
    assert.equal(inputName(resultsOf('first', 2)), 'mr://first/2');
    assert.equal(inputName('/data/x'), '/data/x');
    assert.match(
      refusal(() => inputName({ job: '../x' })),
      /need its id/,
    );
    assert.match(
      refusal(() => inputName({ job: 'a', partition: 1.5 })),
      /must be a non-negative integer/,
    );
  });
});
