/**
 * One change of the journal, as the master queues it and its writer thread applies it:
 * flat arrays of primitives, cheap to make on the master's hot path and to pass between
 * threads (a million task commits must not cost a million objects with closures).
 */
export type JournalOp =
  | readonly ['job', id: string, seq: number, spec: string, plan: string, submittedAt: number]
  | readonly [
      'commit',
      job: string,
      kind: number,
      index: number,
      attempt: number,
      worker: string,
      address: string,
      values: readonly number[],
      counters: string,
      recordsIn: number,
      recordsOut: number,
      spills: number,
      millis: number,
    ]
  | readonly ['uncommit', job: string, kind: number, index: number]
  | readonly ['end', job: string, state: string, error: string, errorDetail: string, at: number]
  | readonly ['purge', job: string]
  | readonly ['restart', job: string];

/** What the master sends its writer thread: a batch to write in one transaction, or the end. */
export type WriterRequest = { readonly batch: number; readonly ops: readonly JournalOp[] } | { readonly close: true };

/** What the writer thread answers: a batch is on disk (or failed), or it closed the journal. */
export type WriterReply = { readonly batch: number; readonly error?: string } | { readonly closed: true };

/** The SQL of each op, in the writer thread's statements (see journal-writer-thread.ts). */
export const OP_SQL = {
  job:
    'INSERT INTO jobs (id, seq, spec, plan, submitted_at, state, error, error_detail, finished_at, restarts) ' +
    "VALUES (?, ?, ?, ?, ?, 'running', '', '', 0, 0)",
  commit:
    'INSERT OR REPLACE INTO commits (job, kind, idx, attempt, worker, address, vals, counters, ' +
    'records_in, records_out, spills, millis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  uncommit: 'DELETE FROM commits WHERE job = ? AND kind = ? AND idx = ?',
  end: 'UPDATE jobs SET state = ?, error = ?, error_detail = ?, finished_at = ? WHERE id = ?',
  purgeCommits: 'DELETE FROM commits WHERE job = ?',
  purgeJob: 'DELETE FROM jobs WHERE id = ?',
  restart: 'UPDATE jobs SET restarts = restarts + 1 WHERE id = ?',
} as const;
