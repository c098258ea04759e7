import { testfsStore } from '../helpers/output-stores.js';
import { outputStoreCases } from '../helpers/output-store-cases.js';

// A scheme from outside the tree (test/helpers/testfs-scheme.ts) needs no whole matrix: the
// commit itself and reducers killed mid-write show the protocol goes through the seam alone;
// file: and s3: run every case.
outputStoreCases('testfs:', (dir) => testfsStore(dir), [0, 3]);
