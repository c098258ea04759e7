import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { UserError } from '../../common/index.js';
import { s3Storage, storageFor } from '../../storage/index.js';
import { startS3Store } from '../helpers/s3-store.js';

const DIST = path.resolve(__dirname, '..', '..');

/** Runs a short script in a fresh node and returns its stdout and stderr. */
function node(script: string): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', script], { cwd: DIST, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
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
