import type { InputFile } from '../input-splitter.js';
import type { AttemptStats } from '../job-event.js';
import type { JobState } from '../job-state.js';
import type { JobSpec } from '../job.js';

/** How a job's splits were cut: with the same files, SplitPlan makes the same splits again. */
export interface JournaledPlan {
  readonly files: readonly InputFile[];
  readonly chunkSize: number;
  readonly pack: boolean;
}

/** One job as the journal holds it. */
export interface JournaledJob {
  readonly spec: JobSpec;
  readonly plan: JournaledPlan;
  /** The master's submission count when it was submitted (job ids are unique with it). */
  readonly seq: number;
  readonly submittedAt: number;
  readonly state: JobState;
  readonly error: string;
  readonly errorDetail: string;
  /** ms since epoch; 0 while running. */
  readonly finishedAt: number;
  /** How many times a master restarted with this job unfinished. */
  readonly restarts: number;
}

/** One task's committed attempt: which, where its output lives, what it counted. */
export interface JournaledCommit {
  readonly kind: 'map' | 'reduce';
  readonly index: number;
  readonly attempt: number;
  readonly workerId: string;
  readonly dataAddress: string;
  /** A map's R + 1 partition offsets, or a reduce's records and bytes. */
  readonly values: ArrayLike<number>;
  readonly counters: Readonly<Record<string, number>>;
  readonly stats: AttemptStats;
}
