export { BAD_RECORDS_COUNTER, defineJob, stages } from '../common/index.js';
export type {
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
  StageDefinition,
  StagedJobDefinition,
  Stages,
} from '../common/index.js';
export {
  GrooveError,
  JobFailedError,
  JobFileError,
  MasterUnavailableError,
  NotFoundError,
  RequestRejectedError,
  UserError,
} from '../common/index.js';
export { GrooveClient, DEFAULT_MASTER } from './client.js';
export { loadSecurity, writeTokenFile } from '../common/index.js';
export type { SecurityFiles } from '../common/index.js';
export type { ResultFormat } from '../proto/formats/index.js';
export type { Security } from '../proto/wire/index.js';
export type { ClientOptions, JobEvent, JobStatus, ResultPart, SubmitOptions, WorkerInfo } from './client.js';
export type { TaskLogLine, TaskLogsOptions } from './client.js';
export { DEFAULT_RECONNECT_TIMEOUT_MS } from './reconnecting-watch.js';
export type { WatchOptions } from './reconnecting-watch.js';
export { EmbeddedCluster } from './embedded-cluster.js';
export type { JobId, JobOf, JobType, ResultOf } from './job-result-types.js';
export { inputName, resultsOf } from './job-input.js';
export type { JobInput, ResultsOf } from './job-input.js';
export type { EmbeddedClusterOptions } from './embedded-cluster.js';
export { packJobFile } from './job-bundler.js';
export type { PackedJob } from './job-bundler.js';
export { Master } from '../master/index.js';
export type { MasterOptions } from '../master/index.js';
export { WorkerDaemon } from '../worker/index.js';
export type { WorkerDaemonOptions } from '../worker/index.js';
export { convertPartFile } from './part-file-converter.js';
export { writeResults } from './result-format.js';
export { OutputDir, checkOutputDir } from './output-dir.js';
export { setHttpTrustedCa } from '../storage/index.js';
export { SAMPLE_LIMITS, sampleKeys, withSplitPoints } from './split-sampler.js';
export { readResultPlace } from './result-sampler.js';
export type { ResultPlace, ResultSource } from './result-sampler.js';
