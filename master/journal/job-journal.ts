import type { InputFile, SplitPlan } from '../input-splitter.js';
import type { AttemptStats } from '../job-event.js';
import type { CommittedOutput, Job } from '../job.js';
import type { Attempt } from '../task-table.js';
import type { Task } from '../task.js';
import type { Journal } from './journal.js';

/**
 * The job manager's side of the journal: what it tells the journal, in its own terms
 * (jobs, tasks, attempts). Every call only queues the change (see Journal); the manager
 * waits for {@link durable} where a change must be on disk before it acts on it.
 */
export class JobJournal {
  constructor(private readonly journal: Journal) {}

  /**
   * A job was accepted, its input resolved to `files` and cut into `splits`. `restarted`: it
   * was planned by a restarted master (a staged job's next stage), its attempts numbered
   * from ATTEMPT_STRIDE, so a later restart numbers them past those.
   */
  submitted(
    job: Job,
    seq: number,
    files: readonly InputFile[],
    splits: SplitPlan,
    pack: boolean,
    restarted = false,
  ): void {
    this.journal.submitted(job.spec, { files, chunkSize: splits.chunkSize, pack }, seq, job.submittedAt);
    if (restarted) this.journal.restarted(job.id);
  }

  /** A task's attempt was committed: where its output is and what it counted. */
  committed(
    job: Job,
    task: Task,
    attempt: Attempt,
    dataAddress: string,
    output: CommittedOutput,
    counters: Readonly<Record<string, number>>,
    stats: AttemptStats,
  ): void {
    const values = 'offsets' in output ? output.offsets : [output.records, output.bytes];
    const { n, workerId } = attempt;
    this.journal.committed(job.id, {
      kind: task.kind,
      index: task.index,
      attempt: n,
      workerId,
      dataAddress,
      values,
      counters,
      stats,
    });
  }

  /** A task's committed output was lost (or could not be fetched): the task runs again. */
  outputLost(job: Job, task: Task): void {
    this.journal.uncommitted(job.id, task.kind, task.index);
  }

  /** The job ended (or is about to: see JobManager's endJob). */
  ended(job: Job, state = job.state, error = job.error, errorDetail = job.errorDetail): void {
    this.journal.ended(job.id, state, error, errorDetail, job.finishedAt || Date.now());
  }

  /** The job was purged. */
  purged(jobId: string): void {
    this.journal.purged(jobId);
  }

  /** Resolves once every change told so far is on disk. */
  durable(): Promise<void> {
    return this.journal.durable();
  }
}
