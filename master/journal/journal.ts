import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { errorMessage } from '../../common/index.js';
import type { JobState } from '../job-state.js';
import type { JobSpec } from '../job.js';
import { JournalError } from './journal-error.js';
import type { JournalOp, WriterReply } from './journal-ops.js';
import type { JournaledCommit, JournaledJob, JournaledPlan } from './journal-records.js';
import { JOURNAL_FILE, JOURNAL_FORMAT, JOURNAL_SCHEMA } from './journal-schema.js';

/**
 * better-sqlite3 (a native addon), loaded by the first journal opened: a master without a
 * journal (`mr run`'s embedded one) never pays for it, and importing master/ does not either.
 */
let sqlite: typeof BetterSqlite3 | undefined;

/** The better-sqlite3 Database class, loaded on first use. */
function sqliteDatabase(): typeof BetterSqlite3 {
  sqlite ??= require('better-sqlite3') as typeof BetterSqlite3;
  return sqlite;
}

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
  const Database = sqliteDatabase();
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

/** Someone waiting for every change queued before it to be on disk. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * The master's durable record of its jobs (SQLite in WAL mode, `synchronous=FULL`: a
 * transaction is on disk when its commit returns). It is read at start, on the master's
 * thread; from the first write on, changes are queued as flat ops and written by a
 * thread of their own (journal-writer-thread.ts) in batches: group commit, so a million
 * task commits cost a few hundred fsyncs, none of them on the event loop. {@link durable}
 * resolves once everything queued before it is on disk; the master waits for it before
 * it tells anyone of a change that must survive a crash (a job's id to its submitter, a
 * job's success).
 */
export class Journal {
  private pending: JournalOp[] = [];
  private waiting: Waiter[] = [];
  /** Batches sent to the writer, not answered yet: who waits on each. */
  private readonly inFlight = new Map<number, Waiter[]>();
  private batches = 0;
  private timer?: NodeJS.Timeout;
  private immediate = false;
  private closed = false;
  private failure?: JournalError;
  private writer?: Worker;
  private closing?: Promise<void>;

  private constructor(
    readonly file: string,
    /** The reading connection: open until the writer thread starts (then the file is the writer's alone). */
    private db: BetterSqlite3.Database | undefined,
    /** A batch written in the background failed: the master cannot keep its promise of durability. */
    private readonly onFailure: (err: JournalError) => void,
  ) {}

  /**
   * Opens the journal in a data dir, making it if there is none; checks it whole first.
   * @throws JournalError for a journal that is truncated, corrupted, of a newer format, or in use.
   */
  static open(dataDir: string, onFailure: (err: JournalError) => void): Journal {
    const file = path.join(dataDir, JOURNAL_FILE);
    if (!fs.existsSync(file)) createJournal(file);
    // SQLite takes an empty file for a new database: a journal cut to nothing must not start empty.
    if (fs.statSync(file).size === 0) throw new JournalError(file, 'is empty (truncated)', MOVE_AWAY);
    let db: BetterSqlite3.Database | undefined;
    try {
      const Database = sqliteDatabase();
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
    const rows = this.reader().prepare('SELECT * FROM jobs ORDER BY submitted_at, seq').all() as JobRow[];
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
    const rows = this.reader().prepare('SELECT * FROM commits WHERE job = ? ORDER BY kind, idx').iterate(jobId);
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
    this.queue(['job', spec.id, seq, JSON.stringify(spec), JSON.stringify(plan), submittedAt]);
  }

  /** A task's attempt was committed (replacing any earlier commit of the task). */
  committed(jobId: string, c: JournaledCommit): void {
    const { recordsIn, recordsOut, spills, millis } = c.stats;
    const kind = c.kind === 'map' ? 0 : 1;
    const values = Array.from(c.values);
    const counters = JSON.stringify(c.counters);
    this.queue([
      'commit',
      jobId,
      kind,
      c.index,
      c.attempt,
      c.workerId,
      c.dataAddress,
      values,
      counters,
      recordsIn,
      recordsOut,
      spills,
      millis,
    ]);
  }

  /** A task's committed output was lost: it runs again. */
  uncommitted(jobId: string, kind: 'map' | 'reduce', index: number): void {
    this.queue(['uncommit', jobId, kind === 'map' ? 0 : 1, index]);
  }

  /** A job ended. */
  ended(jobId: string, state: JobState, error: string, errorDetail: string, at: number): void {
    this.queue(['end', jobId, state, error, errorDetail, at]);
  }

  /** A job was purged: its records go. */
  purged(jobId: string): void {
    this.queue(['purge', jobId]);
  }

  /** A master restarted with this job unfinished (its next attempts are numbered past the old ones). */
  restarted(jobId: string): void {
    this.queue(['restart', jobId]);
  }

  /** Resolves once every change queued so far is on disk; rejects if writing it failed. */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error(`journal ${this.file} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.immediate) {
        this.immediate = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Sends what is queued now to the writer, as one batch (one transaction). */
  flush(): void {
    this.immediate = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const ops = this.pending;
    const waiters = this.waiting;
    this.pending = [];
    this.waiting = [];
    if (this.failure) {
      for (const w of waiters) w.reject(this.failure);
      return;
    }
    if (!ops.length) {
      // Nothing new: the waiters wait for the last batch in flight, if any.
      const last = [...this.inFlight.values()].pop();
      if (last) last.push(...waiters);
      else for (const w of waiters) w.resolve();
      return;
    }
    const batch = ++this.batches;
    this.inFlight.set(batch, waiters);
    this.startWriter().postMessage({ batch, ops });
  }

  /** Writes what is queued and closes the journal (its WAL folded into the file). */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.flush();
    this.closed = true;
    const writer = this.writer;
    if (!writer) {
      this.db?.pragma('wal_checkpoint(TRUNCATE)');
      this.db?.close();
      this.db = undefined;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => resolve();
      writer.once('exit', done);
      writer.on('message', (m: WriterReply) => {
        if ('closed' in m) void writer.terminate().then(done, done);
      });
      writer.postMessage({ close: true });
    });
  }

  /** The reading connection, while there is one (before the first write). */
  private reader(): BetterSqlite3.Database {
    if (!this.db) throw new Error(`journal ${this.file} is being written: it is read only at start`);
    return this.db;
  }

  /** The writer thread, started at the first write: the reading connection closes first (the lock is exclusive). */
  private startWriter(): Worker {
    if (this.writer) return this.writer;
    this.db?.close();
    this.db = undefined;
    const writer = new Worker(path.join(__dirname, 'journal-writer-thread.js'), { workerData: { file: this.file } });
    // The master's own stop closes the journal; the thread alone does not keep the process up.
    writer.unref();
    writer.on('message', (m: WriterReply) => {
      if (!('batch' in m)) return;
      const waiters = this.inFlight.get(m.batch) ?? [];
      this.inFlight.delete(m.batch);
      if (m.error === undefined) for (const w of waiters) w.resolve();
      else this.fail(m.error, waiters);
    });
    writer.on('error', (err) => this.fail(errorMessage(err), []));
    this.writer = writer;
    return writer;
  }

  /** Writing failed: every waiter now and later hears it; the master is told once. */
  private fail(why: string, waiters: readonly Waiter[]): void {
    const first = !this.failure;
    this.failure ??= new JournalError(this.file, `could not be written (${why})`, 'check its disk');
    const all = [...waiters, ...[...this.inFlight.values()].flat()];
    this.inFlight.clear();
    for (const w of all) w.reject(this.failure);
    if (first) this.onFailure(this.failure);
  }

  private queue(op: JournalOp): void {
    // A stopping master may still finish a step or two: nothing of them is acted on any more.
    if (this.closed) return;
    this.pending.push(op);
    // Before the writer starts (recovery still reads), changes only gather.
    if (this.pending.length >= MAX_BATCH && this.writer) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }
}
