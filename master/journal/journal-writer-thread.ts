import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { OP_SQL } from './journal-ops.js';
import type { JournalOp, WriterReply, WriterRequest } from './journal-ops.js';

/**
 * The journal's writer: a thread of the master that applies batches of changes, each in
 * one transaction (SQLite in WAL mode, synchronous=FULL: on disk when it returns), so the
 * inserts and fsyncs of a million task commits cost the master's event loop nothing.
 */
function main(): void {
  const port = parentPort;
  if (!port) throw new Error('journal-writer-thread runs as a worker thread');
  const { file } = workerData as { file: string };
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const s = {
    job: db.prepare(OP_SQL.job),
    commit: db.prepare(OP_SQL.commit),
    uncommit: db.prepare(OP_SQL.uncommit),
    end: db.prepare(OP_SQL.end),
    purgeCommits: db.prepare(OP_SQL.purgeCommits),
    purgeJob: db.prepare(OP_SQL.purgeJob),
    restart: db.prepare(OP_SQL.restart),
  };
  const apply = (op: JournalOp): void => {
    switch (op[0]) {
      case 'job':
        s.job.run(op[1], op[2], op[3], op[4], op[5]);
        return;
      case 'commit': {
        const vals = Buffer.from(Float64Array.from(op[7]).buffer);
        s.commit.run(op[1], op[2], op[3], op[4], op[5], op[6], vals, op[8], op[9], op[10], op[11], op[12]);
        return;
      }
      case 'uncommit':
        s.uncommit.run(op[1], op[2], op[3]);
        return;
      case 'end':
        s.end.run(op[2], op[3], op[4], op[5], op[1]);
        return;
      case 'purge':
        s.purgeCommits.run(op[1]);
        s.purgeJob.run(op[1]);
        return;
      case 'restart':
        s.restart.run(op[1]);
        return;
    }
  };
  const write = db.transaction((ops: readonly JournalOp[]) => {
    for (const op of ops) apply(op);
  });
  port.on('message', (m: WriterRequest) => {
    if ('close' in m) {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      port.postMessage({ closed: true } satisfies WriterReply);
      return;
    }
    try {
      write(m.ops);
      port.postMessage({ batch: m.batch } satisfies WriterReply);
    } catch (err) {
      port.postMessage({ batch: m.batch, error: (err as Error).message } satisfies WriterReply);
    }
  });
}

main();
