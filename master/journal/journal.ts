import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage } from '../../common/index.js';
import type { JobState } from '../job-state.js';
import type { JobSpec } from '../job.js';
import { JournalError } from './journal-error.js';
import type { JournaledCommit, JournaledJob, JournaledPlan } from './journal-records.js';
import { JOURNAL_FILE, JOURNAL_FORMAT, JOURNAL_SCHEMA } from './journal-schema.js';

/** Group commit: queued changes are written this long after the first, in one transaction and one fsync. */
const FLUSH_MS = 10;
/** ...or as soon as this many are queued. */
const MAX_BATCH = 8192;

/** What to do about a journal the master cannot read. */
const MOVE_AWAY = 'restore it from a backup, or move it away to start the master with no jobs';

/** A row of the commits table, as read. */
interface CommitRow {
  kind: number;
  idx: number;
  attempt: number;
  worker: string;
  address: string;
  vals: Buffer;
  counters: string;
  records_in: number;
  records_out: number;
  spills: number;
  millis: number;
}

/** A row of the jobs table, as read. */
interface JobRow {
  id: string;
  seq: number;
  spec: string;
  plan: string;
  submitted_at: number;
  state: string;
  error: string;
  error_detail: string;
  finished_at: number;
  restarts: number;
}

/** Makes a new, empty journal: written whole under a temporary name, then renamed, so a journal file always has its format. */
function createJournal(file: string): void {
  const tmp = `${file}.${process.pid}.new`;
  fs.rmSync(tmp, { force: true });
  const db = new Database(tmp);
  db.pragma('journal_mode = WAL');
  db.exec(JOURNAL_SCHEMA);
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('format', String(JOURNAL_FORMAT));
  db.close();
  fs.renameSync(tmp, file);
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

/** The error for a journal SQLite cannot read, by what SQLite said. */
function unreadable(file: string, err: unknown): JournalError {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return new JournalError(file, 'is in use by another process', 'stop the other master or use another --data-dir');
  return new JournalError(file, `cannot be read (${errorMessage(err)})`, MOVE_AWAY);
}

/**
 * The master's durable record of its jobs (SQLite in WAL mode, `synchronous=FULL`: a
 * transaction is on disk when its commit returns). Changes are queued and written in
 * batches (group commit: a million task commits cost a few hundred fsyncs, not a
 * million); {@link durable} resolves once everything queued before it is on disk, and
 * the master waits for it before it tells anyone of a change that must survive a crash
 * (a job's id to its submitter, a job's success).
 */
export class Journal {
  private pending: (() => void)[] = [];
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private timer?: NodeJS.Timeout;
  private immediate = false;
  private closed = false;
  private readonly write: (ops: readonly (() => void)[]) => void;
  private readonly insertJob: Database.Statement;
  private readonly putCommit: Database.Statement;
  private readonly dropCommit: Database.Statement;
  private readonly endJob: Database.Statement;
  private readonly dropJob: Database.Statement;
  private readonly dropCommits: Database.Statement;
  private readonly restartJob: Database.Statement;

  private constructor(
    readonly file: string,
    private readonly db: Database.Database,
    /** A batch written in the background failed: the master cannot keep its promise of durability. */
    private readonly onFailure: (err: JournalError) => void,
  ) {
    this.write = db.transaction((ops: readonly (() => void)[]) => {
      for (const op of ops) op();
    });
    this.insertJob = db.prepare(
      'INSERT INTO jobs (id, seq, spec, plan, submitted_at, state, error, error_detail, finished_at, restarts) ' +
        "VALUES (?, ?, ?, ?, ?, 'running', '', '', 0, 0)",
    );
    this.putCommit = db.prepare(
      'INSERT OR REPLACE INTO commits (job, kind, idx, attempt, worker, address, vals, counters, ' +
        'records_in, records_out, spills, millis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.dropCommit = db.prepare('DELETE FROM commits WHERE job = ? AND kind = ? AND idx = ?');
    this.endJob = db.prepare('UPDATE jobs SET state = ?, error = ?, error_detail = ?, finished_at = ? WHERE id = ?');
    this.dropJob = db.prepare('DELETE FROM jobs WHERE id = ?');
    this.dropCommits = db.prepare('DELETE FROM commits WHERE job = ?');
    this.restartJob = db.prepare('UPDATE jobs SET restarts = restarts + 1 WHERE id = ?');
  }

  /**
   * Opens the journal in a data dir, making it if there is none; checks it whole first.
   * @throws JournalError for a journal that is truncated, corrupted, of a newer format, or in use.
   */
  static open(dataDir: string, onFailure: (err: JournalError) => void): Journal {
    const file = path.join(dataDir, JOURNAL_FILE);
    if (!fs.existsSync(file)) createJournal(file);
    // SQLite takes an empty file for a new database: a journal cut to nothing must not start empty.
    if (fs.statSync(file).size === 0) throw new JournalError(file, 'is empty (truncated)', MOVE_AWAY);
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { fileMustExist: true, timeout: 0 });
      // One process only: a second master (or any other writer) is refused by SQLite's own lock too.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      const check = db.pragma('quick_check', { simple: true }) as string;
      if (check !== 'ok') throw new JournalError(file, `is corrupted (${check.split('\n')[0] ?? ''})`, MOVE_AWAY);
      const row = db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined;
      const format = Number(row?.value);
      if (!Number.isInteger(format))
        throw new JournalError(file, 'is not a Groove journal (no format version)', MOVE_AWAY);
      if (format > JOURNAL_FORMAT)
        throw new JournalError(
          file,
          `was written by a newer Groove (journal format ${format}; this master reads up to ${JOURNAL_FORMAT})`,
          'run a newer master on this data dir, or use another --data-dir',
        );
      return new Journal(file, db, onFailure);
    } catch (err) {
      db?.close();
      throw err instanceof JournalError ? err : unreadable(file, err);
    }
  }

  /** Every job held, in submission order. */
  jobs(): JournaledJob[] {
    const rows = this.db.prepare('SELECT * FROM jobs ORDER BY submitted_at, seq').all() as JobRow[];
    return rows.map((r) => ({
      spec: JSON.parse(r.spec) as JobSpec,
      plan: JSON.parse(r.plan) as JournaledPlan,
      seq: r.seq,
      submittedAt: r.submitted_at,
      state: r.state as JobState,
      error: r.error,
      errorDetail: r.error_detail,
      finishedAt: r.finished_at,
      restarts: r.restarts,
    }));
  }

  /** A job's committed tasks, lazily (a million-task job is read a row at a time). */
  *commits(jobId: string): Generator<JournaledCommit> {
    const rows = this.db.prepare('SELECT * FROM commits WHERE job = ? ORDER BY kind, idx').iterate(jobId);
    for (const r of rows as IterableIterator<CommitRow>) {
      const b = r.vals;
      yield {
        kind: r.kind === 0 ? 'map' : 'reduce',
        index: r.idx,
        attempt: r.attempt,
        workerId: r.worker,
        dataAddress: r.address,
        values: new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)),
        counters: JSON.parse(r.counters) as Record<string, number>,
        stats: { recordsIn: r.records_in, recordsOut: r.records_out, spills: r.spills, millis: r.millis },
      };
    }
  }

  /** A job was accepted. */
  submitted(spec: JobSpec, plan: JournaledPlan, seq: number, submittedAt: number): void {
    const specText = JSON.stringify(spec);
    const planText = JSON.stringify(plan);
    this.queue(() => this.insertJob.run(spec.id, seq, specText, planText, submittedAt));
  }

  /** A task's attempt was committed (replacing any earlier commit of the task). */
  committed(jobId: string, c: JournaledCommit): void {
    const vals = Buffer.from(Float64Array.from(c.values).buffer);
    const counters = JSON.stringify(c.counters);
    const { recordsIn, recordsOut, spills, millis } = c.stats;
    const kind = c.kind === 'map' ? 0 : 1;
    this.queue(() =>
      this.putCommit.run(
        jobId,
        kind,
        c.index,
        c.attempt,
        c.workerId,
        c.dataAddress,
        vals,
        counters,
        recordsIn,
        recordsOut,
        spills,
        millis,
      ),
    );
  }

  /** A task's committed output was lost: it runs again. */
  uncommitted(jobId: string, kind: 'map' | 'reduce', index: number): void {
    this.queue(() => this.dropCommit.run(jobId, kind === 'map' ? 0 : 1, index));
  }

  /** A job ended. */
  ended(jobId: string, state: JobState, error: string, errorDetail: string, at: number): void {
    this.queue(() => this.endJob.run(state, error, errorDetail, at, jobId));
  }

  /** A job was purged: its records go. */
  purged(jobId: string): void {
    this.queue(() => {
      this.dropCommits.run(jobId);
      this.dropJob.run(jobId);
    });
  }

  /** A master restarted with this job unfinished (its next attempts are numbered past the old ones). */
  restarted(jobId: string): void {
    this.queue(() => this.restartJob.run(jobId));
  }

  /** Resolves once every change queued so far is on disk; rejects if writing it failed. */
  durable(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`journal ${this.file} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.immediate) {
        this.immediate = true;
        setImmediate(() => this.flushOrReport());
      }
    });
  }

  /** Writes what is queued now, in one transaction. */
  flush(): void {
    this.immediate = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const ops = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    try {
      if (ops.length) this.write(ops);
    } catch (err) {
      const failure = new JournalError(this.file, `could not be written (${errorMessage(err)})`, 'check its disk');
      for (const w of waiters) w.reject(failure);
      throw failure;
    }
    for (const w of waiters) w.resolve();
  }

  /** Writes what is queued and closes the journal (its WAL folded into the file). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  private flushOrReport(): void {
    try {
      this.flush();
    } catch (err) {
      this.onFailure(err as JournalError);
    }
  }

  private queue(op: () => void): void {
    // A stopping master may still finish a step or two: nothing of them is acted on any more.
    if (this.closed) return;
    this.pending.push(op);
    if (this.pending.length >= MAX_BATCH) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flushOrReport(), FLUSH_MS);
      this.timer.unref();
    }
  }
}
