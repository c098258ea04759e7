export { WorkerDaemon } from './worker-daemon.js';
export type { CompiledWorkerDaemonOptions, WorkerDaemonOptions } from './worker-options.js';
export { loadJobCode } from './job-loader.js';
export type { AnyJob } from './job-loader.js';
export { createWorkerClient } from './data-client.js';
export { isAttemptFileOf } from './data-layout.js';
