/**
 * The journal's format version: a master refuses a journal of a higher one (a newer
 * Groove wrote it, and this one would misread it). Raise it with any change of the
 * tables below that an older master could not read.
 */
export const JOURNAL_FORMAT = 1;

/** The journal's file name in the master's data dir. */
export const JOURNAL_FILE = 'journal.db';

/**
 * The tables: the meta row holding the format; one row per job held (its spec, how its
 * input was split, how it ended); one row per task whose committed attempt counts now
 * (replaced when the task is committed again, deleted when its output is lost).
 */
export const JOURNAL_SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  spec TEXT NOT NULL,
  plan TEXT NOT NULL,
  submitted_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  error TEXT NOT NULL,
  error_detail TEXT NOT NULL,
  finished_at INTEGER NOT NULL,
  restarts INTEGER NOT NULL
);
CREATE TABLE commits (
  job TEXT NOT NULL,
  kind INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  worker TEXT NOT NULL,
  address TEXT NOT NULL,
  vals BLOB NOT NULL,
  counters TEXT NOT NULL,
  records_in REAL NOT NULL,
  records_out REAL NOT NULL,
  spills REAL NOT NULL,
  millis REAL NOT NULL,
  PRIMARY KEY (job, kind, idx)
) WITHOUT ROWID;
`;
