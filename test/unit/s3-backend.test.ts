import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { UserError } from '../../common/index.js';
import { s3Storage, storageFor } from '../../storage/index.js';
import { startS3Store } from '../helpers/s3-store.js';

const DIST = path.resolve(__dirname, '..', '..');

/** Runs a short script in a fresh node (the test's environment plus `env`) and returns its stdout and stderr. */
function node(script: string, env: NodeJS.ProcessEnv = {}): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: DIST,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** A fresh process's one-line answer to stat(url) with `env`: the error's class, code and message. */
function statIn(env: NodeJS.ProcessEnv, url: string): string {
  const script =
    "require('./storage/index.js').s3Storage.stat(process.argv[1]).then(" +
    "(s) => console.log('found', s.kind), (e) => console.log(e.constructor.name, e.code, e.message))";
  const r = spawnSync(process.execPath, ['-e', script, url], {
    cwd: DIST,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', ...env },
  });
  return r.stdout.trim();
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the s3:// backend, without a store', () => {
  it('is registered for s3: and costs nothing until used: loading Groove loads no AWS SDK module', () => {
    assert.equal(storageFor('s3://bucket/key'), s3Storage);
    const { stdout } = node(
      "require('./storage/index.js'); require('./worker/index.js'); require('./sdk/index.js');" +
        "console.log(Object.keys(require.cache).filter((f) => f.includes('@aws-sdk') || f.includes('@smithy')).length)",
    );
    assert.equal(stdout.trim(), '0');
  });

  it('refuses a URL that names no bucket, or no bucket a store accepts, in one line before any request', async () => {
    for (const [url, re] of [
      ['s3://', /^s3:\/\/: names no bucket/],
      ['s3:///key', /^s3:\/\/\/key: names no bucket/],
      ['s3://ab/key', /^s3:\/\/ab\/key: "ab" is not a bucket name/],
      ['s3://has space/key', /is not a bucket name/],
    ] as const) {
      await assert.rejects(s3Storage.stat(url), (err: unknown) => {
        assert.ok(err instanceof UserError, String(err));
        assert.match(err.message, re);
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    }
  });

  it('says in one line that no region is configured, or that the endpoint cannot be reached, naming the URL', async () => {
    const keys = { AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'not-printed-7c1e', AWS_MAX_ATTEMPTS: '1' };
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const noRegion = statIn({ ...keys, AWS_REGION: undefined, AWS_ENDPOINT_URL: endpoint }, 's3://bucket1/key');
    assert.match(noRegion, /^S3StorageError EINVAL s3:\/\/bucket1\/key: no AWS region configured \(set AWS_REGION/);
    const refused = statIn(
      { ...keys, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: endpoint, AWS_S3_FORCE_PATH_STYLE: '1' },
      's3://bucket1/key',
    );
    assert.match(
      refused,
      /^S3StorageError ECONNREFUSED s3:\/\/bucket1\/key: HeadObject failed \(connect ECONNREFUSED /,
    );
    assert.ok(!`${noRegion}${refused}`.includes('not-printed-7c1e'));
  });

  it("drops the SDK's ten-line warning about Node versions it will need, and prints other warnings", () => {
    const { stderr } = node(
      "require('./common/index.js').filterProcessWarnings();" +
        "process.emitWarning('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\\nversions published after');" +
        "process.emitWarning('something else');",
    );
    assert.equal(stderr, '(warning) Warning: something else\n');
  });

  it('the test store, when Swift is not installed, fails saying to run scripts/test-deps.sh', async () => {
    const saved = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      await assert.rejects(
        startS3Store(),
        /swift-proxy-server, which is not installed: run `bash scripts\/test-deps.sh`/,
      );
    } finally {
      process.env['PATH'] = saved;
    }
  });
});
