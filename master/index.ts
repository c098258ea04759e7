export { Master } from './master.js';
export { DEFAULT_MASTER_PORT } from './master-options.js';
export type { CompiledMasterOptions, MasterOptions } from './master-options.js';
export { DEFAULT_CHUNK_SIZE, DEFAULT_SORT_BUFFER_BYTES, LIMITS as SUBMISSION_LIMITS } from './submission-limits.js';
