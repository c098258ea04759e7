/**
 * Starts the test run's S3 store and keeps it until this process is told to end (SIGTERM,
 * SIGINT) or its parent, the test script, is gone, so the test files of one `npm test` share one store instead of starting
 * their own: scripts/test.sh runs `node dist/test/helpers/s3-store-daemon.js FILE` and exports
 * GROOVE_TEST_S3_STORE=FILE once FILE exists. FILE (mode 0600: it holds the store's random
 * secret) is written whole by a rename, so a reader never sees half of it.
 */
import * as fs from 'node:fs';
import { startOwnS3Store } from './s3-store.js';
import type { S3StoreInfo } from './s3-store.js';

async function main(file: string): Promise<void> {
  const store = await startOwnS3Store();
  const info: S3StoreInfo = {
    endpoint: store.endpoint,
    region: store.region,
    accessKeyId: store.accessKeyId,
    secretAccessKey: store.secretAccessKey,
    env: store.env,
    dir: store.dir,
  };
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(info), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
  const end = (): void => {
    void store.stop().finally(() => {
      fs.rmSync(file, { force: true });
      process.exit(0);
    });
  };
  process.once('SIGTERM', end);
  process.once('SIGINT', end);
  // A test script killed outright cannot stop the store: its parent changing says it is gone.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) end();
  }, 1000);
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: s3-store-daemon FILE\n');
  process.exit(2);
}
main(file).catch((err: unknown) => {
  process.stderr.write(`s3-store-daemon: ${(err as Error).message}\n`);
  process.exit(1);
});
