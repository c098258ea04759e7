import { after, before } from 'node:test';
import * as path from 'node:path';
import { outputStoreCases } from '../helpers/output-store-cases.js';
import type { OutputStoreUnderTest } from '../helpers/output-stores.js';
import { boto, startS3Store } from '../helpers/s3-store.js';
import type { S3Store } from '../helpers/s3-store.js';

// The commit protocol's cases against a real S3-compatible store (Swift with s3api on
// loopback): every object is checked with an independent client (boto3), not Groove's.
const BUCKET = 'groove-output';
let store: S3Store | undefined;

before(async () => {
  store = await startS3Store();
  await boto(store, 'createBucket', { bucket: BUCKET });
});
after(async () => {
  await store?.stop();
});

function started(): S3Store {
  if (!store) throw new Error('the S3 test store did not start');
  return store;
}

/** s3://BUCKET/<run>/<case>/ prefixes; each call of the cases gets its own run name. */
function s3OutputStore(dir: string): OutputStoreUnderTest {
  const run = path.basename(path.dirname(dir));
  const key = (url: string): string => url.slice(`s3://${BUCKET}/`.length);
  return {
    prefix: (name) => `s3://${BUCKET}/${run}/${name}/`,
    get env() {
      return started().env;
    },
    inProcess: false,
    list: async (prefix) =>
      (await boto(started(), 'list', { bucket: BUCKET, prefix: key(prefix) }))
        .map((o) => o.key.slice(key(prefix).length))
        .sort(),
    read: (url) => boto(started(), 'get', { bucket: BUCKET, key: key(url) }),
  };
}

outputStoreCases('s3:', s3OutputStore);
