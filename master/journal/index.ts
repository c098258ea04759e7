export { LOCK_FILE, lockDataDir } from './data-dir-lock.js';
export type { DataDirLock } from './data-dir-lock.js';
export { JobJournal } from './job-journal.js';
export { Journal } from './journal.js';
export { JournalError } from './journal-error.js';
export type { JournaledCommit, JournaledJob, JournaledPlan } from './journal-records.js';
export { JOURNAL_FILE, JOURNAL_FORMAT } from './journal-schema.js';
export { ATTEMPT_STRIDE, recoverJobs } from './recovery.js';
export type { RecoveredJobs } from './recovery.js';
