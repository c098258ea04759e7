import type { OutputTarget } from './output-target.js';
import type { JobStage } from './job-stage.js';
import type { Submitter } from './submitter.js';

/** What the master holds about one submitted job. */
export interface JobSpec {
  readonly id: string;
  readonly name: string;
  readonly packHash: string;
  readonly inputs: readonly string[];
  readonly partitions: number;
  /** A map-only job (partitions 0, docs/map-only.md): no reduce tasks; each map task's part file is one of the results. */
  readonly mapOnly?: boolean;
  readonly params: Readonly<Record<string, string>>;
  readonly sortBufferBytes: number;
  /** Attempts a task may fail before the job fails. */
  readonly maxAttempts: number;
  /** Whether slow tasks get backup attempts. */
  readonly speculation: boolean;
  /** The store the results are committed to (master/output-committer.ts); none: they stay on the workers only. */
  readonly output?: OutputTarget;
  /** Who submitted it, when known. */
  readonly submittedBy?: Submitter;
  /** For a stage of a staged job: which (docs/stages.md, master/staged-jobs.ts). */
  readonly stage?: JobStage;
}
