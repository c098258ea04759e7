/** storage/schemes: one module per URL scheme, the way into this folder. */
export { fileStorage, localPath } from './file.js';
export { httpStorage } from './http.js';
export { HttpInputError, httpTrustedCa, setHttpTrustedCa } from './http-request.js';
export { openHttpReader } from './http-reader.js';
