import { UserError } from '../common/index.js';
import { resultUri } from '../proto/formats/index.js';
import { resultInputsOf } from './chain-inputs.js';
import type { ChainLookup } from './chain-inputs.js';
import type { InputFile, SplitPlan } from './input-splitter.js';
import { planSplits } from './job-planner.js';
import { hasLaterStage, stageJobId } from './job-stage.js';
import type { JobStage } from './job-stage.js';
import { Job } from './job.js';
import type { JobSpec } from './job.js';
import { DEFAULT_CHUNK_SIZE } from './submission-limits.js';

/** A stage's job as planned, with the files and splits the journal keeps of its plan. */
export interface PlannedStage {
  readonly job: Job;
  readonly files: readonly InputFile[];
  readonly splits: SplitPlan;
}

/**
 * The spec of a submitted job's first stage: for a staged job (two stages or more) the
 * stage's id, partitions and place, without the output store, which only the last stage
 * writes; a job of one stage keeps its spec (with that stage's partitions).
 */
export function firstStageSpec(spec: JobSpec, stagePartitions: readonly number[] | undefined): JobSpec {
  if (!stagePartitions?.length) return spec;
  const [partitions = spec.partitions] = stagePartitions;
  if (stagePartitions.length === 1) return { ...spec, partitions };
  const { output, ...rest } = spec;
  const stage: JobStage = { of: spec.id, index: 0, partitions: stagePartitions, ...(output ? { output } : {}) };
  return { ...rest, id: stageJobId(spec.id, 0, stagePartitions.length), partitions, stage };
}

/**
 * Plans the stage after `prev`, a stage that has every partition committed: one map task
 * per partition of its output, each reading that part file whole as `[key, value]`
 * records and preferring the worker that holds it, as an `mr://` input does
 * (chain-inputs.ts, the scheduler's locality). A part file whose worker is gone is not
 * computed again: the staged job fails, naming it. `attemptBase`: where its attempt numbers
 * start (past an earlier master's, when planned again after a restart; see ATTEMPT_STRIDE).
 * @throws UserError naming the stage and partition whose output is gone.
 */
export function planNextStage(
  prev: Job,
  workerState: ChainLookup['workerState'],
  slots: number,
  attemptBase = 0,
): PlannedStage {
  const stage = prev.spec.stage;
  if (!hasLaterStage(stage)) throw new Error(`${prev.id} is the last stage of its job`);
  const index = stage.index + 1;
  const count = stage.partitions.length;
  for (let p = 0; p < prev.reduces.length; p++) {
    const part = prev.partFile(prev.reduce(p));
    const state = part ? workerState(part.workerId) : undefined;
    if (part && state !== undefined && state !== 'lost') continue;
    throw new UserError(
      `stage ${index}'s output partition ${p} was on worker ${part?.workerId ?? '(none)'}, which is gone; ` +
        'a lost stage output is not computed again: run the job again',
    );
  }
  const files = resultInputsOf(prev, { workerState });
  const splits = planSplits(files, { defaultSize: DEFAULT_CHUNK_SIZE, slots });
  const { output: _none, ...rest } = prev.spec;
  const spec: JobSpec = {
    ...rest,
    id: stageJobId(stage.of, index, count),
    inputs: [resultUri(prev.id)],
    partitions: stage.partitions[index] ?? prev.spec.partitions,
    stage: { ...stage, index },
    ...(index === count - 1 && stage.output ? { output: stage.output } : {}),
  };
  const job = new Job(spec, splits, { submittedAt: Date.now(), attemptBase });
  job.earlierStages = [...prev.earlierStages, prev];
  return { job, files, splits };
}

/**
 * The master's view of its staged jobs (docs/stages.md): each stage runs as a job of its
 * own, and the latest one started answers for the staged job, by the staged job's id, to
 * everything a user asks (status, watch, kill, results, `mr jobs`, `mr://` inputs).
 */
export class StagedJobs {
  /** The latest stage's job of each staged job, by the staged job's id. */
  private readonly latest = new Map<string, Job>();

  /** Takes a job in: a stage's job is its staged job's latest from now, unless a later one is known. */
  add(job: Job): void {
    const stage = job.spec.stage;
    if (!stage) return;
    const known = this.latest.get(stage.of)?.spec.stage?.index ?? -1;
    if (known < stage.index) this.latest.set(stage.of, job);
  }

  /** The id of the job that answers for `id`: a staged job's latest stage; any other id as it is. */
  resolve(id: string): string {
    return this.latest.get(id)?.id ?? id;
  }

  /** Whether `mr jobs` lists the job: a job of one stage, or the latest stage of a staged job. */
  listed(job: Job): boolean {
    const stage = job.spec.stage;
    return !stage || this.latest.get(stage.of) === job;
  }

  /** Whether the job is a stage that the next one should follow and does not yet. */
  awaitsNext(job: Job): boolean {
    return hasLaterStage(job.spec.stage) && this.listed(job);
  }

  /** Every stage's job of the staged job `job` is a stage of, first first; `[job]` for a job of one stage. */
  stagesOf(job: Job): Job[] {
    const stage = job.spec.stage;
    const latest = (stage && this.latest.get(stage.of)) || job;
    return [...latest.earlierStages, latest];
  }

  /** Forgets a staged job (purged). */
  forget(job: Job): void {
    if (job.spec.stage) this.latest.delete(job.spec.stage.of);
  }

  /** Takes in the jobs rebuilt from the journal, linking each stage's job to the stages before it. */
  recover(jobs: readonly Job[]): void {
    const byId = new Map(jobs.map((j) => [j.id, j]));
    for (const job of jobs) {
      const stage = job.spec.stage;
      if (!stage) continue;
      const count = stage.partitions.length;
      const earlier = Array.from({ length: stage.index }, (_, i) => byId.get(stageJobId(stage.of, i, count)));
      job.earlierStages = earlier.filter((j): j is Job => j !== undefined);
      this.add(job);
    }
  }
}
