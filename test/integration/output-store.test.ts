import { fileStore, testfsStore } from '../helpers/output-stores.js';
import { outputStoreCases } from '../helpers/output-store-cases.js';

// One line per backend: the s3 variant passes an s3 store of test/helpers/s3-store.ts.
outputStoreCases('file:', (dir) => fileStore(dir));
outputStoreCases('testfs:', (dir) => testfsStore(dir));
