/** storage/schemes: one module per URL scheme, the way into this folder. */
export { fileStorage, localPath } from './file.js';
