import { NotFoundError, RequestRejectedError } from '../common/index.js';
import { isValidId, mapTaskId, reduceTaskId } from '../proto/formats/index.js';
import type { Job } from './job.js';

/** What the task-log targets need of the master's jobs. */
export interface TaskLogJobs {
  /** The job of this id; a staged job's latest stage for its id (throws NotFoundError when none). */
  get(jobId: string): Job;
  /** Every stage's job of the staged job `job` is a stage of, first first; `[job]` for a job of one stage. */
  stagesOf(job: Job): Job[];
}

/**
 * One job whose attempts' logs a read covers: a job of one stage, or one stage of a staged
 * job, whose lines then name their stage (docs/logs.md).
 */
export interface TaskLogTarget {
  readonly job: Job;
  /** The task asked for in this job, bare (`map-00000`); undefined for every task. */
  readonly task: string | undefined;
  /** Put before each task id the lines carry: `stage2/` in a staged job, '' otherwise. */
  readonly prefix: string;
}

/** `stage2/map-00000`: a task of one stage of a staged job, as its log lines name it. */
const STAGE_TASK = /^stage([1-9]\d{0,2})\/(.*)$/;

/** The prefix of the task ids of a stage's job (`stage2/`); '' for a job of one stage. */
export function stageTaskPrefix(job: Job): string {
  const stage = job.spec.stage;
  return stage ? `stage${stage.index + 1}/` : '';
}

/**
 * What a log read of `jobId` (and `taskId`, '' for every task) covers: each stage of a
 * staged job, first first, with `map-00000` meaning that task in every stage that has it
 * and `stage2/map-00000` only stage 2's; a job of one stage alone.
 * @throws NotFoundError for a job, stage or task the master does not have, and
 *   RequestRejectedError for a malformed task id, each in one line naming what was asked.
 */
export function taskLogTargets(jobs: TaskLogJobs, jobId: string, taskId: string): TaskLogTarget[] {
  const latest = jobs.get(jobId);
  const stages = jobs.stagesOf(latest);
  const staged = latest.spec.stage !== undefined;
  const m = staged ? STAGE_TASK.exec(taskId) : null;
  const bare = m ? (m[2] as string) : taskId;
  if (bare !== '' && !isValidId(bare)) throw new RequestRejectedError(`bad task id ${JSON.stringify(taskId)}`);
  if (m) {
    const n = Number(m[1]);
    const stage = stages[n - 1];
    const count = latest.spec.stage?.partitions.length ?? 1;
    if (!stage) {
      const why = n <= count ? `has not started stage ${n} yet` : `has ${count} stages, not ${n}`;
      throw new NotFoundError(`job ${jobId} ${why} (task ${taskId})`);
    }
    return [{ job: stage, task: checkedTask(stage, bare, taskId, jobId), prefix: stageTaskPrefix(stage) }];
  }
  const task = bare || undefined;
  if (task !== undefined && !stages.some((s) => s.task(task))) {
    if (!staged) throw new NotFoundError(`job ${jobId} has no task ${taskId} (its tasks are ${taskRange(latest)})`);
    const ranges = stages.map((s, i) => `stage ${i + 1}'s are ${taskRange(s)}`).join('; ');
    throw new NotFoundError(`job ${jobId} has no task ${taskId} in any stage (${ranges})`);
  }
  // Every stage, also one without the task: its part of the read is then empty (and, when
  // following, lasts until that stage ends, so a later stage that has the task is not missed).
  return stages.map((s) => ({ job: s, task, prefix: stageTaskPrefix(s) }));
}

/**
 * The stages after the first `seen` of the staged job `jobId`, for a read of `taskId` that
 * follows the job from one stage to the next: none when it asked for one stage's task
 * (`stage1/map-00000`), or the job is gone (purged).
 */
export function laterTaskLogTargets(jobs: TaskLogJobs, jobId: string, taskId: string, seen: number): TaskLogTarget[] {
  if (STAGE_TASK.test(taskId)) return [];
  let stages: Job[];
  try {
    stages = jobs.stagesOf(jobs.get(jobId));
  } catch (err) {
    if (err instanceof NotFoundError) return [];
    throw err;
  }
  const task = taskId || undefined;
  return stages.slice(seen).map((s) => ({ job: s, task, prefix: stageTaskPrefix(s) }));
}

/** The bare task id when the stage's job has it; a one-line error naming its tasks otherwise. */
function checkedTask(job: Job, bare: string, asked: string, jobId: string): string | undefined {
  if (bare === '') return undefined;
  if (!job.task(bare)) {
    const n = (job.spec.stage?.index ?? 0) + 1;
    throw new NotFoundError(`job ${jobId} has no task ${asked} (stage ${n}'s tasks are ${taskRange(job)})`);
  }
  return bare;
}

/** `map-00000 to map-00005 and reduce-00000 to reduce-00003`. */
function taskRange(job: Job): string {
  const reduces = job.reduces.length ? ` and ${reduceTaskId(0)} to ${reduceTaskId(job.reduces.length - 1)}` : '';
  return `${mapTaskId(0)} to ${mapTaskId(Math.max(0, job.maps.length - 1))}${reduces}`;
}
