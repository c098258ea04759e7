import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createLogger } from '../../common/index.js';
import { ProcessPool } from '../../worker/index.js';

/** The environment of a running process, from /proc. */
function environOf(pid: number): Map<string, string> {
  const pairs = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
  return new Map(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

describe('pool processes', () => {
  it('run with a fixed glibc mmap threshold, so freed large buffers leave their RSS', async () => {
    const saved = process.env['MALLOC_MMAP_THRESHOLD_'];
    delete process.env['MALLOC_MMAP_THRESHOLD_'];
    const pool = new ProcessPool({
      size: 1,
      logger: createLogger('pool-test'),
      taskTimeoutMs: 10_000,
      memoryLimitMb: 256,
    });
    try {
      await pool.start();
      const [pid] = pool.pids;
      assert.ok(pid, 'no pool process');
      const env = environOf(pid);
      assert.equal(env.get('MALLOC_MMAP_THRESHOLD_'), String(128 * 1024));
      assert.equal(env.get('GROOVE_POOL_PROCESS'), '1');
    } finally {
      await pool.stop();
      if (saved !== undefined) process.env['MALLOC_MMAP_THRESHOLD_'] = saved;
    }
  });

  it('keep a threshold the user set', async () => {
    process.env['MALLOC_MMAP_THRESHOLD_'] = '65536';
    const pool = new ProcessPool({
      size: 1,
      logger: createLogger('pool-test'),
      taskTimeoutMs: 10_000,
      memoryLimitMb: 256,
    });
    try {
      await pool.start();
      const [pid] = pool.pids;
      assert.ok(pid, 'no pool process');
      assert.equal(environOf(pid).get('MALLOC_MMAP_THRESHOLD_'), '65536');
    } finally {
      await pool.stop();
      delete process.env['MALLOC_MMAP_THRESHOLD_'];
    }
  });
});
