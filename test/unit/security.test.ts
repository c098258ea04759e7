import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../../common/index.js';
import { createLogger } from '../../common/index.js';
import { checkBind, isLoopback, loadSecurity, writeTokenFile } from '../../common/index.js';
import { terminalSafe } from '../../common/index.js';
import { tokenMatches } from '../../proto/wire/index.js';
import { planJob } from '../../master/index.js';
import { expectedAttemptDir } from '../../master/index.js';
import { badSuccessReport } from '../../master/index.js';
import type { TaskUpdate__Output } from '../../proto/wire/generated/groove/TaskUpdate';

const log = createLogger('test');

describe('cluster tokens', () => {
  it('mr token writes 256 random bits readable by the owner only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-token-'));
    try {
      const file = path.join(dir, 'sub', 'token');
      const a = writeTokenFile(file);
      assert.match(a, /^[0-9a-f]{64}$/);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.equal(loadSecurity({ tokenFile: file }).token, a);
      assert.notEqual(writeTokenFile(path.join(dir, 'other')), a);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses short tokens and missing files, naming the option', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-token-'));
    try {
      fs.writeFileSync(path.join(dir, 'short'), 'abc');
      assert.throws(
        () => loadSecurity({ tokenFile: path.join(dir, 'short') }),
        /--token-file .*at least 16 characters/,
      );
      assert.throws(() => loadSecurity({ tokenFile: path.join(dir, 'none') }), /--token-file .*no such file/);
      assert.throws(() => loadSecurity({ tlsCert: path.join(dir, 'short') }), /--tls-cert and --tls-key go together/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('compares tokens exactly, whatever their lengths', () => {
    assert.equal(tokenMatches('a'.repeat(64), 'a'.repeat(64)), true);
    assert.equal(tokenMatches('a'.repeat(64), 'a'.repeat(63)), false);
    assert.equal(tokenMatches('', 'a'), false);
    assert.equal(tokenMatches('b'.repeat(64), 'a'.repeat(64)), false);
  });
});

describe('bind policy', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) assert.equal(isLoopback(h), true, h);
    for (const h of ['0.0.0.0', '10.0.0.1', '::', 'example.com', '1127.0.0.1']) assert.equal(isLoopback(h), false, h);
  });

  it('refuses a non-loopback bind without a token unless insecure', () => {
    assert.throws(
      () => checkBind('master', '0.0.0.0', {}, false, log),
      (e: unknown) => e instanceof UserError && /refusing to listen on 0\.0\.0\.0/.test(e.message),
    );
    assert.doesNotThrow(() => checkBind('master', '0.0.0.0', { token: 'x'.repeat(32) }, false, log));
    assert.doesNotThrow(() => checkBind('master', '0.0.0.0', {}, true, log));
    assert.doesNotThrow(() => checkBind('master', '127.0.0.1', {}, false, log));
  });
});

describe('terminal escaping', () => {
  it('shows control characters instead of obeying them', () => {
    assert.equal(terminalSafe('job\x1b[2J\x1b]0;pwned\x07'), 'job\\x1b[2J\\x1b]0;pwned\\x07');
    assert.equal(terminalSafe('a\tb\nc'), 'a\tb\\x0ac');
    assert.equal(terminalSafe('a\nb', true), 'a\nb');
    assert.equal(terminalSafe('\u009b31m'), '\\x9b31m');
    assert.equal(terminalSafe('日本 ok'), '日本 ok');
  });
});

describe('worker reports', () => {
  const job = planJob(
    {
      id: 'job-1',
      name: 'j',
      packHash: 'h',
      inputs: ['/x'],
      partitions: 2,
      params: {},
      sortBufferBytes: 1 << 20,
      maxAttempts: 4,
      speculation: true,
    },
    [{ path: '/x', size: 10 }],
    100,
  );
  const map = job.map(0);
  const reduce = job.reduce(0);
  const update = (over: Partial<TaskUpdate__Output>): TaskUpdate__Output =>
    ({
      jobId: 'job-1',
      taskId: 'map-00000',
      attempt: 3,
      outcome: 'TASK_SUCCEEDED',
      error: '',
      errorDetail: '',
      counters: {},
      lostMapTasks: [],
      userError: false,
      stats: null,
      mapOutput: null,
      reduceOutput: null,
      ...over,
    }) as TaskUpdate__Output;

  it("accepts an attempt's own output", () => {
    assert.ok(map && reduce);
    assert.equal(
      badSuccessReport(
        job,
        map,
        update({ mapOutput: { dir: expectedAttemptDir('job-1', 'map-00000', 3), offsets: [0, 5, 9] } }),
      ),
      undefined,
    );
    assert.equal(
      badSuccessReport(
        job,
        reduce,
        update({
          taskId: 'reduce-00000',
          reduceOutput: { path: 'jobs/job-1/reduce-00000-a3/part.data', records: 1, bytes: 9, outputUrl: '' },
        }),
      ),
      undefined,
    );
  });

  it("refuses paths that are not the attempt's own, bad offsets and too many counters", () => {
    assert.ok(map && reduce);
    assert.match(
      badSuccessReport(job, map, update({ mapOutput: { dir: 'jobs/job-1/../../etc', offsets: [0, 0, 0] } })) ?? '',
      /not the attempt's own/,
    );
    assert.match(
      badSuccessReport(job, map, update({ mapOutput: { dir: 'jobs/job-1/map-00000-a2', offsets: [0, 0, 0] } })) ?? '',
      /not the attempt's own/,
    );
    assert.match(
      badSuccessReport(job, map, update({ mapOutput: { dir: 'jobs/job-1/map-00000-a3', offsets: [0, 9, 5] } })) ?? '',
      /increasing/,
    );
    assert.match(
      badSuccessReport(job, map, update({ mapOutput: { dir: 'jobs/job-1/map-00000-a3', offsets: [0, 9] } })) ?? '',
      /offsets for 2 partitions/,
    );
    assert.match(
      badSuccessReport(
        job,
        reduce,
        update({ taskId: 'reduce-00000', reduceOutput: { path: '/etc/passwd', records: 0, bytes: 0, outputUrl: '' } }),
      ) ?? '',
      /not the attempt's own/,
    );
    // A job without an output store: an attempt claiming it wrote somewhere is refused.
    const ownPath = 'jobs/job-1/reduce-00000-a3/part.data';
    assert.match(
      badSuccessReport(
        job,
        reduce,
        update({
          taskId: 'reduce-00000',
          reduceOutput: { path: ownPath, records: 0, bytes: 0, outputUrl: 's3://b/x' },
        }),
      ) ?? '',
      /output "s3:\/\/b\/x" is not the attempt's own/,
    );
    const counters = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`c${i}`, 1]));
    assert.match(
      badSuccessReport(
        job,
        map,
        update({ mapOutput: { dir: 'jobs/job-1/map-00000-a3', offsets: [0, 0, 0] }, counters }),
      ) ?? '',
      /more than 1000 counters/,
    );
  });
});
