import { SplitPlan } from '../input-splitter.js';
import { Job } from '../job.js';
import { JournalError } from './journal-error.js';
import type { Journal } from './journal.js';
import type { JournaledCommit } from './journal-records.js';

/**
 * How far apart the attempt numbers of successive masters are: a restarted master numbers
 * a resumed job's attempts from (restarts + 1) x this, so an attempt the previous master
 * started (still running on a worker, not journaled) never shares a directory with a new
 * one. A task has far fewer attempts than this in one master's life: its failures,
 * losses and fetch failures are all bounded well below it.
 */
export const ATTEMPT_STRIDE = 1000;

/** What the journal held, as the master's jobs again. */
export interface RecoveredJobs {
  /** In submission order; finished ones finished, unfinished ones with their committed tasks succeeded. */
  readonly jobs: Job[];
  /** The highest submission count of a journaled job. */
  readonly seq: number;
  /** Workers holding committed outputs, by id: their data address. */
  readonly hosts: ReadonlyMap<string, string>;
}

/** Folds one journaled commit into a rebuilt job, as if its attempt had just succeeded. */
function replayCommit(job: Job, c: JournaledCommit): void {
  const task = c.kind === 'map' ? job.map(c.index) : job.reduce(c.index);
  const [records = 0, bytes = 0] = Array.from(c.values);
  // A map-only job's maps committed part files, as reduces do.
  const output = c.kind === 'map' && !job.mapOnly ? { offsets: c.values } : { records, bytes };
  if (task.state !== 'running') job.setTaskState(task, 'running');
  const attempt = { n: c.attempt, workerId: c.workerId, startedAt: Date.now() - c.stats.millis, speculative: false };
  job.commit(task, attempt, c.dataAddress, output, c.counters, c.stats);
}

/**
 * Rebuilds the jobs a journal holds: each one's splits are cut again from the files it
 * resolved at submission (the same cut, so the same tasks), its committed tasks replayed.
 * Unfinished jobs are counted as restarted in the journal (their attempts are numbered
 * past the old ones, see ATTEMPT_STRIDE); they go on once the master runs.
 * @throws JournalError when a record does not fit its job (the journal was tampered with).
 */
export function recoverJobs(journal: Journal): RecoveredJobs {
  const jobs: Job[] = [];
  const hosts = new Map<string, string>();
  let seq = 0;
  for (const r of journal.jobs()) {
    try {
      const splits = new SplitPlan(r.plan.files, { chunkSize: r.plan.chunkSize, pack: r.plan.pack });
      const running = r.state === 'running';
      const attemptBase = running ? (r.restarts + 1) * ATTEMPT_STRIDE : 0;
      const job = new Job(r.spec, splits, { submittedAt: r.submittedAt, attemptBase });
      for (const c of journal.commits(job.id)) {
        replayCommit(job, c);
        hosts.set(c.workerId, c.dataAddress);
      }
      if (running) journal.restarted(job.id);
      else job.finish(r.state, r.error, r.errorDetail, r.finishedAt);
      jobs.push(job);
      seq = Math.max(seq, r.seq);
    } catch (err) {
      if (err instanceof JournalError) throw err;
      const why = `holds a record of job ${r.spec.id} that does not fit it (${(err as Error).message})`;
      throw new JournalError(
        journal.file,
        why,
        'restore it from a backup, or move it away to start the master with no jobs',
      );
    }
  }
  return { jobs, seq, hosts };
}
