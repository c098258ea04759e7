import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { defineJob, jobStages, stages, UserError } from '../../common/index.js';
import type { Emit, ResultRecord } from '../../common/index.js';
import { firstStageSpec, lostResultInput, planJob, planNextStage, StagedJobs } from '../../master/index.js';
import type { Job, JobSpec } from '../../master/index.js';

const STATS = { recordsIn: 0, recordsOut: 0, spills: 0, millis: 0 };

const BASE: JobSpec = {
  id: 'tw-1',
  name: 'tw',
  packHash: 'hash',
  inputs: ['/in'],
  partitions: 4,
  params: {},
  sortBufferBytes: 1 << 20,
  maxAttempts: 4,
  speculation: false,
  output: { url: 's3://b/p/', format: 'jsonl', overwrite: false },
};

/** Commits every task of a stage's job, its partition p's part file on `holders[p]`. */
function runStage(job: Job, holders: readonly string[]): void {
  for (let i = 0; i < job.maps.length; i++) {
    const map = job.map(i);
    const a = job.startAttempt(map, 'w1', 0, false);
    job.endAttempt(map, a.n);
    job.commit(map, a, 'w1:1', { offsets: new Array<number>(holders.length + 1).fill(0) }, { mine: 1 }, STATS);
  }
  holders.forEach((w, p) => {
    const t = job.reduce(p);
    const r = job.startAttempt(t, w, 0, false);
    job.endAttempt(t, r.n);
    job.commit(t, r, `${w}:1`, { records: 1, bytes: 100 + p }, {}, STATS);
  });
}

describe('planning the stages of a staged job', () => {
  it('gives the first stage its own id and partitions, and no output store', () => {
    const spec = firstStageSpec(BASE, [3, 4, 1]);
    assert.equal(spec.id, 'tw-1.stage1');
    assert.equal(spec.partitions, 3);
    assert.equal(spec.output, undefined);
    assert.deepEqual(spec.stage, { of: 'tw-1', index: 0, partitions: [3, 4, 1], output: BASE.output });
    // One stage (or none) is a plain job.
    assert.equal(firstStageSpec(BASE, [2]).stage, undefined);
    assert.equal(firstStageSpec(BASE, [2]).partitions, 2);
    assert.equal(firstStageSpec(BASE, undefined), BASE);
  });

  it('plans the next stage as one map per partition of the last, each where its part file is', () => {
    const first = planJob(firstStageSpec(BASE, [3, 2, 1]), [{ path: '/in/a', size: 10 }], 100);
    runStage(first, ['w2', 'w3', 'w2']);
    const { job: second, files } = planNextStage(first, () => 'alive', 6);
    assert.equal(second.id, 'tw-1.stage2');
    assert.equal(second.maps.length, 3);
    assert.equal(second.reduces.length, 2);
    assert.equal(second.mapsWithLocality, 3);
    assert.deepEqual(
      Array.from({ length: 3 }, (_, i) => second.map(i).split?.location),
      ['w2', 'w3', 'w2'],
    );
    assert.deepEqual(
      files.map((f) => f.result?.path),
      [0, 1, 2].map((p) => `jobs/tw-1.stage1/reduce-0000${p}-a0/part.data`),
    );
    assert.equal(second.spec.output, undefined, 'only the last stage writes the store');
    assert.deepEqual(second.earlierStages, [first]);
    runStage(second, ['w1', 'w3']);
    const { job: third } = planNextStage(second, () => 'alive', 6);
    assert.equal(third.id, 'tw-1', 'the last stage has the job id');
    assert.deepEqual(third.spec.output, BASE.output);
    assert.deepEqual(third.earlierStages, [first, second]);
    assert.throws(() => planNextStage(third, () => 'alive', 6), /last stage/);
  });

  it('fails a stage whose output is gone, in one line naming stage and partition', () => {
    const first = planJob(firstStageSpec(BASE, [2, 1]), [{ path: '/in/a', size: 10 }], 100);
    runStage(first, ['w2', 'w3']);
    assert.throws(
      () => planNextStage(first, (w) => (w === 'w3' ? 'lost' : 'alive'), 6),
      (err: unknown) =>
        err instanceof UserError &&
        err.message ===
          "stage 1's output partition 1 was on worker w3, which is gone; a lost stage output is not computed again: run the job again",
    );
    // Lost while the next stage runs: its pending map that reads it fails the job, naming the stage.
    const { job: second } = planNextStage(first, () => 'alive', 6);
    assert.match(
      lostResultInput(second, 'w3')?.error ?? '',
      /^stage 1's output partition 1 was lost with worker w3 during stage 2;/,
    );
  });

  it('answers for a staged job by its latest stage, and links stages rebuilt from the journal', () => {
    const first = planJob(firstStageSpec(BASE, [1, 1]), [{ path: '/in/a', size: 10 }], 100);
    runStage(first, ['w1']);
    const staged = new StagedJobs();
    staged.add(first);
    assert.equal(staged.resolve('tw-1'), 'tw-1.stage1');
    assert.equal(staged.awaitsNext(first), true);
    const { job: second } = planNextStage(first, () => 'alive', 1);
    staged.add(second);
    assert.equal(staged.resolve('tw-1'), 'tw-1');
    assert.equal(staged.listed(first), false);
    assert.equal(staged.listed(second), true);
    assert.equal(staged.awaitsNext(first), false);
    assert.deepEqual(staged.stagesOf(first), [first, second]);
    const rebuilt = new StagedJobs();
    second.earlierStages = [];
    rebuilt.recover([first, second]);
    assert.deepEqual(second.earlierStages, [first]);
    assert.equal(rebuilt.resolve('tw-1'), 'tw-1');
  });
});

describe('defineJob with stages', () => {
  const job = defineJob({
    name: 'two',
    stages: stages<string, number>({
      map: (line, emit) => emit(line, 1),
      reduce: (k, vs, emit) => emit(k, [...vs].length),
      reader: 'lines',
    }).stage<number, string>({
      map: ([word, count], emit) => emit(count, word),
      partitions: 1,
    }),
    sortBufferMB: 8,
  });

  it('keeps the stages as a plain array, each a job with the whole job options', () => {
    assert.ok(Array.isArray(job.stages));
    assert.equal(job.stages.length, 2);
    assert.deepEqual(Object.keys(job.stages), ['0', '1']);
    const [one, two] = jobStages(job);
    assert.equal(one?.name, 'two');
    assert.equal(two?.sortBufferMB, 8);
    assert.equal(two?.partitions, 1);
    assert.equal(one?.reader, 'lines');
  });

  it('refuses a bad stage in one line naming it', () => {
    const map = (line: string, emit: Emit<string, number>): void => emit(line, 1);
    const bad = (stagesValue: unknown): string => {
      try {
        defineJob({ stages: stagesValue } as never);
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    assert.equal(
      bad([]),
      "the job's stages must be a non-empty array of stages (build it with stages(first).stage(next))",
    );
    assert.equal(
      bad([{ map }, { map, reducer: map }]),
      'unknown option reducer in stage 2 of defineJob: did you mean reduce?',
    );
    assert.match(bad([{ map }, { map, reader: 'csv' }]), /^unknown option reader in stage 2 of defineJob/);
    assert.equal(bad([{ map }, { reduce: map }]), 'stage 2 has no map function');
    assert.equal(
      bad([{ map, partitions: 0 }]),
      'stage 1 cannot be map-only (reduce: false or partitions: 0): only a job of one stage can',
    );
    assert.throws(() => defineJob({ map, stages: [{ map }] } as never), /has no map of its own/);
  });

  it('types the next stage by the last one (a mismatch does not compile)', () => {
    const first = stages<string, number>({ map: (line, emit) => emit(line, 1) });
    // Records are [string, number]: the map's parameter is typed so without an annotation.
    first.stage<number, string>({ map: (record: ResultRecord<string, number>, emit) => emit(record[1], record[0]) });
    first.stage<string, number>({
      // @ts-expect-error stage 1 emits [string, number] records, not [number, string]
      map: (record: [number, string], emit: Emit<string, number>) => emit(record[1], record[0]),
    });
    first.stage<string, number>({
      // @ts-expect-error the key of stage 1's records is a string, not a number
      map: ([word, count], emit) => emit(count, word),
    });
    assert.equal(first.length, 1);
  });
});
