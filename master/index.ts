export { Master } from './master.js';
export { DEFAULT_MASTER_PORT } from './master-options.js';
export type { CompiledMasterOptions, MasterOptions } from './master-options.js';
