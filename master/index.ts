export { Master } from './master.js';
export { DEFAULT_MASTER_PORT, DEFAULT_RETENTION_MS, MASTER_OPTION_TABLE, MIN_RETENTION_MS } from './master-options.js';
export { startRetentionSweep, sweepExpiredJobs } from './retention-sweep.js';
export type { RetentionSweepOptions } from './retention-sweep.js';
export { PurgedJobs } from './purged-jobs.js';
export type { CompiledMasterOptions, MasterOptions } from './master-options.js';
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_SORT_BUFFER_BYTES,
  LIMITS as SUBMISSION_LIMITS,
  SUBMIT_OPTION_TABLE,
} from './submission-limits.js';
export { MAX_PIECES_PER_SPLIT, splitInputs } from './input-splitter.js';
export type { InputFile, InputPiece, InputSplit, ResultPartRef, SplitOptions } from './input-splitter.js';
export { CounterTable } from './counter-table.js';
export { HostTable } from './host-table.js';
export { SplitPlan } from './input-splitter.js';
export { chunkSizeFor, MIN_SLOT_CHUNK_SIZE, planJob, planSplits } from './job-planner.js';
export type { ChunkSizing } from './job-planner.js';
export { Job } from './job.js';
export type { CommittedOutput, JobSpec } from './job.js';
export { describePlace, eventMessage, eventType, renderJobEvent } from './job-event.js';
export type { JobEvent, JobEventRecord, RenderedJobEvent, TaskPlace } from './job-event.js';
export { IllegalTransitionError } from './illegal-transition-error.js';
export type { TransitionSubject } from './illegal-transition-error.js';
export { TaskOutputs } from './task-outputs.js';
export type { Task } from './task.js';
export type { Attempt } from './task-table.js';
export { nextLocalityTime, nextRetryTime, placeTasks, runnableTasks, stragglers } from './scheduler.js';
export type { Placement, SchedulingPolicy, SlotView } from './scheduler.js';
export { expectedAttemptDir } from './attempt-dir.js';
export { JobManager, MAX_FETCH_FAILURES_PER_TASK, MAX_OUTPUT_LOSSES_PER_TASK } from './job-manager.js';
export type { Submission } from './submission.js';
export { WorkerRegistry, assertWorkerTransition } from './worker-registry.js';
export type { WorkerEntry, WorkerRegistration, WorkerState } from './worker-registry.js';
export { badSuccessReport } from './task-update-check.js';
export { OutputCommitter } from './output-committer.js';
export type { CommitOutcome, CommitPlan } from './output-committer.js';
export { DEFAULT_STORE_CALL_POLICY, OutputStoreError, storeCall } from './output-store-call.js';
export type { StoreCallPolicy } from './output-store-call.js';
export { attemptOutputUrl, checkOutputTarget, jobTemporaryUrl, normalizeOutputUrl } from './output-target.js';
export type { OutputTarget } from './output-target.js';
export { mapInputOf, resolveResultInput } from './chain-inputs.js';
export type { ChainLookup } from './chain-inputs.js';
export { LOCAL_MAP_COUNTER, lostResultInput } from './chain-locality.js';
export { firstStageSpec, planNextStage, StagedJobs } from './staged-jobs.js';
export type { PlannedStage } from './staged-jobs.js';
export { laterTaskLogTargets, taskLogTargets } from './task-log-targets.js';
export type { TaskLogJobs, TaskLogTarget } from './task-log-targets.js';
export { hasLaterStage, stageJobId } from './job-stage.js';
export type { JobStage } from './job-stage.js';
export {
  ATTEMPT_STRIDE,
  JOURNAL_FILE,
  JOURNAL_FORMAT,
  JobJournal,
  Journal,
  JournalError,
  LOCK_FILE,
  lockDataDir,
  recoverJobs,
} from './journal/index.js';
export type { DataDirLock, JournaledCommit, JournaledJob, JournaledPlan, RecoveredJobs } from './journal/index.js';
export { asReadBy } from './whole-inputs.js';
export { MasterMetrics } from './master-metrics.js';
export type { MasterMetricsOptions, MasterMetricsSource } from './master-metrics.js';
export { MAX_SESSIONS, SESSION_COOKIE, SESSION_IDLE_MS, WebSessions, sessionCookie } from './web/index.js';
