export { defineJob } from './job-api.js';
export type { Counters, Emit, JobContext, JobDefinition, JobLog, Key } from './job-api.js';
export { GrooveError, JobFailedError, JobFileError, MasterUnavailableError, RequestRejectedError, UserError, errorMessage, oneLine } from './errors.js';
export { createLogger, setLogLevel } from './logger.js';
export type { LogFields, LogLevel, Logger } from './logger.js';
