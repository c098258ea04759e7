/** worker/shuffle/serve: the way into this folder. */
export { BulkDataServer } from './bulk-server.js';
export { createDataService } from './shuffle-service.js';
