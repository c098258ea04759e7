import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { NotFoundError, RequestRejectedError } from '../../common/index.js';
import {
  firstStageSpec,
  laterTaskLogTargets,
  planJob,
  planNextStage,
  StagedJobs,
  taskLogTargets,
} from '../../master/index.js';
import type { Job, JobSpec, TaskLogJobs, TaskLogTarget } from '../../master/index.js';

const STATS = { recordsIn: 0, recordsOut: 0, spills: 0, millis: 0 };

const BASE: JobSpec = {
  id: 'j-1',
  name: 'j',
  packHash: 'hash',
  inputs: ['/in'],
  partitions: 2,
  params: {},
  sortBufferBytes: 1 << 20,
  maxAttempts: 4,
  speculation: false,
};

/** Commits every task of a stage's job on worker w1. */
function runStage(job: Job): void {
  const maps = Array.from({ length: job.maps.length }, (_, i) => job.map(i));
  const reduces = Array.from({ length: job.reduces.length }, (_, i) => job.reduce(i));
  for (const task of [...maps, ...reduces]) {
    const a = job.startAttempt(task, 'w1', 0, false);
    job.endAttempt(task, a.n);
    const output =
      task.kind === 'map' ? { offsets: new Array<number>(job.reduces.length + 1).fill(0) } : { records: 1, bytes: 10 };
    job.commit(task, a, 'w1:1', output, {}, STATS);
  }
}

/** The master's jobs as the relay sees them: by id, a staged job's id answered by its latest stage. */
function jobsOf(staged: StagedJobs, all: Job[]): TaskLogJobs {
  return {
    get(id) {
      const job = all.find((j) => j.id === staged.resolve(id));
      if (!job) throw new NotFoundError(`no such job: ${id}`);
      return job;
    },
    stagesOf: (job) => staged.stagesOf(job),
  };
}

const shown = (targets: TaskLogTarget[]): string[] => targets.map((t) => `${t.job.id} ${t.prefix}${t.task ?? '*'}`);

describe('which jobs and tasks a task-log read covers', () => {
  // A staged job of three stages (2, 2 and 1 partitions), in stage 2; the plain job beside it.
  const first = planJob(firstStageSpec(BASE, [2, 2, 1]), [{ path: '/in/a', size: 10 }], 100);
  runStage(first);
  const { job: second } = planNextStage(first, () => 'alive', 4);
  const plain = planJob({ ...BASE, id: 'p-1' }, [{ path: '/in/a', size: 10 }], 100);
  const staged = new StagedJobs();
  staged.add(first);
  staged.add(second);
  const jobs = jobsOf(staged, [first, second, plain]);

  it('covers every stage so far, a bare task in each, and one stage for stageN/TASK', () => {
    assert.deepEqual(shown(taskLogTargets(jobs, 'j-1', '')), ['j-1.stage1 stage1/*', 'j-1.stage2 stage2/*']);
    assert.deepEqual(shown(taskLogTargets(jobs, 'j-1', 'reduce-00001')), [
      'j-1.stage1 stage1/reduce-00001',
      'j-1.stage2 stage2/reduce-00001',
    ]);
    assert.deepEqual(shown(taskLogTargets(jobs, 'j-1', 'stage1/map-00000')), ['j-1.stage1 stage1/map-00000']);
    // A job of one stage has no prefix, and takes no stage.
    assert.deepEqual(shown(taskLogTargets(jobs, 'p-1', 'map-00000')), ['p-1 map-00000']);
    assert.throws(() => taskLogTargets(jobs, 'p-1', 'stage1/map-00000'), RequestRejectedError);
  });

  it('refuses a stage or task the job does not have, in one line naming it', () => {
    const refused = (task: string, message: string): void =>
      assert.throws(
        () => taskLogTargets(jobs, 'j-1', task),
        (err: unknown) => err instanceof NotFoundError && err.message === message,
      );
    refused('stage3/map-00000', 'job j-1 has not started stage 3 yet (task stage3/map-00000)');
    refused('stage4/map-00000', 'job j-1 has 3 stages, not 4 (task stage4/map-00000)');
    refused(
      'stage2/reduce-00002',
      "job j-1 has no task stage2/reduce-00002 (stage 2's tasks are map-00000 to map-00001 and reduce-00000 to reduce-00001)",
    );
    refused(
      'map-00009',
      "job j-1 has no task map-00009 in any stage (stage 1's are map-00000 to map-00000 and reduce-00000 to reduce-00001; " +
        "stage 2's are map-00000 to map-00001 and reduce-00000 to reduce-00001)",
    );
    assert.throws(() => taskLogTargets(jobs, 'j-1', 'stage1/../x'), RequestRejectedError);
  });

  it('follows into the stages started after the read began, unless it asked for one stage', () => {
    runStage(second);
    const { job: third } = planNextStage(second, () => 'alive', 4);
    staged.add(third);
    const later = jobsOf(staged, [first, second, third]);
    assert.deepEqual(shown(laterTaskLogTargets(later, 'j-1', 'map-00000', 2)), ['j-1 stage3/map-00000']);
    assert.deepEqual(shown(laterTaskLogTargets(later, 'j-1', '', 3)), []);
    assert.deepEqual(shown(laterTaskLogTargets(later, 'j-1', 'stage2/map-00000', 2)), []);
    assert.deepEqual(shown(laterTaskLogTargets(jobsOf(new StagedJobs(), []), 'j-1', '', 2)), [], 'purged');
  });
});
