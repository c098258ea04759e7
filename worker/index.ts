export { WorkerDaemon } from './worker-daemon.js';
export type { CompiledWorkerDaemonOptions, WorkerDaemonOptions } from './worker-options.js';
export { loadJobCode } from './job-loader.js';
export { NonTextInputError, nonTextReason, TEXT_CHECK_BYTES } from './task-runtime/text-input-check.js';
export type { AnyJob } from './job-loader.js';
export { createWorkerClient } from './data-client.js';
export { isAttemptFileOf } from './data-layout.js';
