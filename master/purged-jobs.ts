/** The most purged job ids kept; past it the oldest are forgotten (their workers' dirs then age out as orphans). */
const MAX_PURGED = 100_000;

/**
 * The jobs purged lately, so that a worker away at the purge deletes their directories
 * when it rejoins (it is told in Registered.purged_jobs). An id is kept for the retention
 * time: a worker's directory of the job is older than that by then, and goes as an orphan.
 */
export class PurgedJobs {
  /** Purge times by job id, in insertion (so time) order. */
  private readonly at = new Map<string, number>();

  /** Records a purge at `now` (ms since epoch). */
  add(jobId: string, now: number): void {
    this.at.delete(jobId);
    this.at.set(jobId, now);
    if (this.at.size > MAX_PURGED) this.at.delete(this.at.keys().next().value as string);
  }

  /** Forgets the purges made before `before`; the oldest come first, so this stops at the first younger one. */
  expire(before: number): void {
    for (const [id, t] of this.at) {
      if (t >= before) return;
      this.at.delete(id);
    }
  }

  /** The ids held. */
  ids(): string[] {
    return [...this.at.keys()];
  }
}
