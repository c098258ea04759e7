/** The small shared layer below master, worker and sdk: the job API, errors, logging, options and security settings. */
export {
  BAD_RECORDS_COUNTER,
  checkJobDefinition,
  defineJob,
  isFold,
  JOB_OPTION_NAMES,
  JOB_READERS,
  TASK_HOOK_NAMES,
  jobStages,
  MAX_STAGES,
  stages,
} from './job-api.js';
export { isMapOnly } from './map-only.js';
export { closestName, editDistance } from './closest-name.js';
export type {
  AnyJobDefinition,
  AnyStage,
  BadRecordPolicy,
  CombineValues,
  CsvRecord,
  Counters,
  Emit,
  FoldValues,
  JobContext,
  JobDefinition,
  JobLog,
  JobReader,
  Key,
  LaterStageDefinition,
  ResultRecord,
  TaskHookName,
  StageDefinition,
  StagedJobDefinition,
  Stages,
} from './job-api.js';
export {
  GrooveError,
  JobFailedError,
  JobFileError,
  MasterUnavailableError,
  NotFoundError,
  PreconditionFailedError,
  RequestRejectedError,
  UserError,
} from './errors.js';
export { errorMessage, oneLine } from './errors.js';
export { checkLogEnvironment, createLogger, isDebugLogging, LOG_FORMATS, logFormat, setLogLevel } from './logger.js';
export { ENVIRONMENT_VARIABLES, envMaster, envS3ForcePathStyle, envTokenFile } from './environment.js';
export type { EnvironmentVariable } from './environment.js';
export type { LogFields, LogFormat, LogLevel, Logger } from './logger.js';
export { backoffDelay } from './backoff.js';
export { durationText, parseDuration } from './duration.js';
export { checkOption, checkOptionalOption, flagHelp, optionFromFlag } from './option-checks.js';
export type { OptionSpec, OptionTable, OptionUnit } from './option-checks.js';
export { filterProcessWarnings } from './process-warnings.js';
export { checkBind, ephemeralToken, isLoopback, loadSecurity, writeTokenFile } from './security-config.js';
export type { SecurityFiles } from './security-config.js';
export { terminalSafe } from './terminal-text.js';
export type { Security } from './security.js';
export { ATTEMPT_FAILURE_REASONS, toAttemptFailureReason } from './attempt-failure-reason.js';
export type { AttemptFailureReason } from './attempt-failure-reason.js';
export { AttemptMetrics } from './attempt-metrics.js';
export type { AttemptReport } from './attempt-metrics.js';
export { promClient } from './metrics-lib.js';
export type { MetricsSource } from './metrics-lib.js';
