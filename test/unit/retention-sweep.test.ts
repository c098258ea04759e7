import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLogger } from '../../common/index.js';
import { JobManager, sweepExpiredJobs, WorkerRegistry } from '../../master/index.js';
import type { Submission } from '../../master/index.js';
import type { MasterMessage } from '../../proto/wire/generated/groove/MasterMessage';

/**
 * The retention sweep over a real job manager, its clock moved on instead of waiting days:
 * finished jobs past the retention are purged as `mr purge` does (their workers told),
 * running and recent ones stay, and purges are remembered for the retention only.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-retention-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const RETENTION = 7 * DAY;
const POLICY = {
  maxAttempts: 4,
  blacklistAfter: 3,
  speculationFactor: 1.5,
  speculationMinMs: 60_000,
  retryBackoffMs: 0,
  prefetch: 1,
};

function sub(input: string, packHash: string): Submission {
  return {
    name: 'wordcount',
    packHash,
    inputs: [input],
    partitions: 1,
    params: {},
    chunkSize: 64,
    sortBufferBytes: 1 << 20,
    maxAttempts: 0,
    speculation: false,
  };
}

describe('retention sweep', () => {
  it('purges finished jobs past the retention since they ended, and nothing else', async () => {
    const input = path.join(dir, 'in.txt');
    fs.writeFileSync(input, 'a b c\n');
    const registry = new WorkerRegistry();
    const inbox: MasterMessage[] = [];
    registry.register({
      id: 'w1',
      dataAddress: '10.0.0.1:7001',
      slots: 1,
      hostname: 'w1',
      send: (m) => {
        if (!Buffer.isBuffer(m)) inbox.push(m);
      },
      disconnect: () => {},
    });
    const removedPacks: string[] = [];
    const jobs = new JobManager(registry, POLICY, createLogger('test'), { remove: (h) => removedPacks.push(h) });
    try {
      const old = await jobs.submit(sub(input, 'pack-old'));
      const running = await jobs.submit(sub(input, 'pack-running'));
      jobs.kill(old.id);
      const endedAt = old.finishedAt;
      assert.ok(endedAt > 0);
      const log = createLogger('test');
      const sweep = (now: number): string[] =>
        sweepExpiredJobs({ jobs, retentionMs: RETENTION, clock: () => now, log });

      assert.deepEqual(sweep(endedAt + RETENTION - 1), [], 'a job ended less than the retention ago stays');
      assert.equal(jobs.list().length, 2);

      inbox.length = 0;
      assert.deepEqual(sweep(endedAt + RETENTION), [old.id]);
      assert.deepEqual(
        jobs.list().map((j) => j.id),
        [running.id],
        'the running job stays, however old',
      );
      assert.throws(() => jobs.get(old.id), /no such job/);
      assert.deepEqual(
        inbox.map((m) => m.purge),
        [{ jobId: old.id, packHash: 'pack-old' }],
        'its worker was told, as by mr purge',
      );
      assert.deepEqual(removedPacks, ['pack-old']);
      assert.deepEqual(jobs.purged.ids(), [old.id], 'the purge is remembered for workers away now');

      jobs.kill(running.id);
      const later = running.finishedAt + RETENTION;
      assert.deepEqual(sweep(later), [running.id]);
      assert.deepEqual(jobs.list(), []);
      // The first purge is the retention old when the master's clock is past its time plus the retention.
      sweep(Date.now() + RETENTION + DAY);
      assert.deepEqual(jobs.purged.ids(), [], 'purges are forgotten after the retention');
    } finally {
      jobs.close();
    }
  });
});
