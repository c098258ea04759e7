import type { Logger } from '../common/index.js';
import { errorMessage } from '../common/index.js';
import type { Job } from './job.js';
import { resultTask } from './job-results.js';
import { OutputCommitter } from './output-committer.js';
import type { StoreCallPolicy } from './output-store-call.js';
import { attemptOutputUrl } from './output-target.js';
import type { Task } from './task.js';

/**
 * The job manager's side of output stores: what a reduce assignment is told, the commit
 * once every partition has its committed attempt, and the clean-up of jobs that end
 * without one. Commits run in the background on the master's event loop; each store call
 * in them is bounded (output-store-call.ts).
 */
export class JobOutputs {
  /** Jobs whose commit ran (it cleans up after itself, whatever its outcome). */
  private readonly commits = new WeakSet<Job>();

  constructor(
    private readonly log: Logger,
    private readonly policy?: StoreCallPolicy,
  ) {}

  /** The output fields of a reduce assignment (or a map-only job's map's): where attempt `attempt` writes its lines, if the job has a store. */
  assignment(job: Job, task: Task, attempt: number): { outputUrl: string; outputFormat: string } {
    const output = job.spec.output;
    if (!output) return { outputUrl: '', outputFormat: '' };
    return {
      outputUrl: attemptOutputUrl(output.url, job.id, task.id, attempt, task.index),
      outputFormat: output.format,
    };
  }

  private committer(job: Job, resumed = false): OutputCommitter | undefined {
    const output = job.spec.output;
    if (!output) return undefined;
    const winners = Array.from({ length: job.partFiles.length }, (_, p) => {
      const task = resultTask(job, p);
      return attemptOutputUrl(output.url, job.id, task.id, job.partFiles.attempt(p), p);
    });
    return new OutputCommitter({ target: output, jobId: job.id, winners, resumed }, this.policy, this.log);
  }

  /**
   * Commits the job's output; resolves with the one-line error of a commit that failed
   * (after cleaning up), else undefined: committed, or stopped because the job was killed
   * meanwhile (then cleaned up too). `resumed`: a restarted master does again a commit its
   * previous run may have begun (see CommitPlan).
   */
  async commit(job: Job, resumed = false): Promise<string | undefined> {
    const committer = this.committer(job, resumed);
    if (!committer) return undefined;
    this.commits.add(job);
    try {
      const outcome = await committer.commit(() => job.finished);
      if (outcome === 'aborted') await committer.abort();
      else this.log.info('output committed', { job: job.id, output: job.spec.output?.url });
      return undefined;
    } catch (err) {
      await committer.abort();
      return errorMessage(err);
    }
  }

  /** A job with a store ended before its commit (failed, killed): its temporary objects go, in the background. */
  endedWithoutCommit(job: Job): void {
    if (this.commits.has(job)) return;
    const committer = this.committer(job);
    if (!committer) return;
    this.commits.add(job);
    void committer.abort();
  }

  /**
   * An attempt reported success after its job moved on (a backup that lost, an attempt of
   * a finished job): once the job's temporary tree was cleaned, nothing else removes what
   * it wrote, so its object goes now. Only the URL the attempt was assigned is removed,
   * whatever the report says.
   */
  lateSuccess(job: Job, task: Task, attempt: number, reported: string): void {
    const output = job.spec.output;
    if (!output || task.kind !== job.resultKind || !job.finished || !this.commits.has(job)) return;
    const url = attemptOutputUrl(output.url, job.id, task.id, attempt, task.index);
    if (reported !== url) return;
    const committer = this.committer(job) as OutputCommitter;
    committer.removeStray(url).catch((err: unknown) => {
      this.log.warn('could not remove a late attempt output', { job: job.id, error: errorMessage(err) });
    });
  }
}
