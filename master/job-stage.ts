import type { OutputTarget } from './output-target.js';

/**
 * Where one stage's job is in a staged job (docs/stages.md). The master runs each stage
 * as a job of its own, one after the other, and shows them as one: the staged job's id is
 * its last stage's, the earlier stages' are that id with `.stage1`, `.stage2`... after it.
 */
export interface JobStage {
  /** The staged job's id, as its user knows it (its last stage's). */
  readonly of: string;
  /** This stage's place, from 0. */
  readonly index: number;
  /** Every stage's partitions, first first (so also how many stages there are). */
  readonly partitions: readonly number[];
  /** The store the last stage commits the results to; the earlier stages' output stays on the workers. */
  readonly output?: OutputTarget;
}

/** The id of stage `index` (from 0) of `count` of the staged job `of`: the last stage has the job's own id. */
export function stageJobId(of: string, index: number, count: number): string {
  return index === count - 1 ? of : `${of}.stage${index + 1}`;
}

/** Whether the stage is followed by another. */
export function hasLaterStage(stage: JobStage | undefined): stage is JobStage {
  return stage !== undefined && stage.index < stage.partitions.length - 1;
}
