import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLogger } from '../../common/index.js';
import { OrphanSweep, removeAgedOrphans, removeStaleFiles } from '../../worker/index.js';
import type { MasterJobs } from '../../worker/index.js';

/**
 * A worker's cleanup at registration, on a real data dir: what the master holds, committed
 * or not, and what it purged go as before; a job it does not know (a master restarted
 * without its state) stays until its directory is the retention old.
 */
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-stale-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const HOUR = 3_600_000;

/** A data dir with jobs/<job>/<attempt>/part for each job and attempt; mtimes set `ageMs` back. */
function dataDir(name: string, jobs: Record<string, { attempts: string[]; ageMs?: number }>): string {
  const d = path.join(root, name);
  for (const [job, { attempts, ageMs }] of Object.entries(jobs)) {
    for (const a of attempts) {
      fs.mkdirSync(path.join(d, 'jobs', job, a), { recursive: true });
      fs.writeFileSync(path.join(d, 'jobs', job, a, 'part'), 'x');
    }
    if (ageMs !== undefined) {
      const t = new Date(Date.now() - ageMs);
      fs.utimesSync(path.join(d, 'jobs', job), t, t);
    }
  }
  return d;
}

const exists = (d: string, rel: string): boolean => fs.existsSync(path.join(d, 'jobs', rel));

function master(over: Partial<MasterJobs>): MasterJobs {
  return { committed: [], heldJobs: [], purgedJobs: [], retentionMs: 24 * HOUR, ...over };
}

describe('stale files at registration', () => {
  it("keeps the task logs of jobs the master holds, even with nothing committed here, and not a purged job's", async () => {
    const d = dataDir('logs', {
      held: { attempts: ['map-00000-a0', 'logs'] },
      committed: { attempts: ['reduce-00000-a0', 'map-00001-a0', 'logs'] },
      purged: { attempts: ['map-00000-a0', 'logs'] },
    });
    const removed = await removeStaleFiles(
      d,
      master({
        committed: [{ jobId: 'committed', mapIndex: [], mapAttempt: [], reduceIndex: [0], reduceAttempt: [0] }],
        heldJobs: ['held', 'committed'],
        purgedJobs: ['purged'],
      }),
      new Set(),
    );
    assert.ok(exists(d, 'held/logs') && !exists(d, 'held/map-00000-a0'), "a held job's attempts go, its logs stay");
    assert.ok(exists(d, 'committed/logs') && exists(d, 'committed/reduce-00000-a0'));
    assert.ok(!exists(d, 'committed/map-00001-a0'));
    assert.ok(!exists(d, 'purged'), 'a purged job goes whole, logs too');
    assert.deepEqual({ attemptDirs: removed.attemptDirs, jobDirs: removed.jobDirs }, { attemptDirs: 2, jobDirs: 1 });
  });

  it('keeps committed attempts, deletes held and purged jobs at once, and unknown ones only past the retention', async () => {
    const d = dataDir('mixed', {
      committed: { attempts: ['map-00000-a1', 'map-00001-a1', 'reduce-00000-a2'] },
      held: { attempts: ['map-00000-a1'] },
      purged: { attempts: ['reduce-00000-a1'] },
      young: { attempts: ['reduce-00000-a1'], ageMs: 23 * HOUR },
      old: { attempts: ['reduce-00000-a1'], ageMs: 25 * HOUR },
      busyUnknown: { attempts: ['map-00000-a1'], ageMs: 48 * HOUR },
    });
    const removed = await removeStaleFiles(
      d,
      master({
        committed: [{ jobId: 'committed', mapIndex: [0], mapAttempt: [1], reduceIndex: [0], reduceAttempt: [2] }],
        heldJobs: ['committed', 'held'],
        purgedJobs: ['purged'],
      }),
      new Set(['jobs/busyUnknown/map-00000-a1']),
    );
    assert.ok(exists(d, 'committed/map-00000-a1') && exists(d, 'committed/reduce-00000-a2'));
    assert.ok(!exists(d, 'committed/map-00001-a1'), 'an attempt not committed goes');
    assert.ok(!exists(d, 'held'), 'a held job with nothing committed here goes');
    assert.ok(!exists(d, 'purged'), 'a purged job goes at once');
    assert.ok(exists(d, 'young'), 'a job no master knows stays while younger than the retention');
    assert.ok(!exists(d, 'old'), 'and goes once older');
    assert.ok(exists(d, 'busyUnknown/map-00000-a1'), 'a running attempt is never touched');
    assert.deepEqual(
      { attemptDirs: removed.attemptDirs, jobDirs: removed.jobDirs, orphanDirs: removed.orphanDirs },
      { attemptDirs: 1, jobDirs: 2, orphanDirs: 1 },
    );
    assert.deepEqual(
      removed.orphans.map((o) => o.jobId),
      ['young'],
    );
  });

  it('takes the default retention (7 days) from a master that gives none', async () => {
    const d = dataDir('default', {
      sixDays: { attempts: ['map-00000-a1'], ageMs: 6 * 24 * HOUR },
      eightDays: { attempts: ['map-00000-a1'], ageMs: 8 * 24 * HOUR },
    });
    await removeStaleFiles(d, master({ retentionMs: 0 }), new Set());
    assert.ok(exists(d, 'sixDays'));
    assert.ok(!exists(d, 'eightDays'));
  });

  it('deletes kept orphans once they age, reading their mtime again', async () => {
    const d = dataDir('aging', {
      a: { attempts: ['map-00000-a1'], ageMs: HOUR },
      b: { attempts: ['map-00000-a1'], ageMs: HOUR },
    });
    const { orphans } = await removeStaleFiles(d, master({ retentionMs: 2 * HOUR }), new Set());
    assert.equal(orphans.length, 2);
    // b was written to since: it is younger now.
    fs.utimesSync(path.join(d, 'jobs', 'b'), new Date(), new Date());
    const { removed, kept } = await removeAgedOrphans(d, orphans, 2 * HOUR, Date.now() + 1.5 * HOUR);
    assert.equal(removed, 1);
    assert.ok(!exists(d, 'a'));
    assert.deepEqual(
      kept.map((o) => o.jobId),
      ['b'],
    );
  });

  it('OrphanSweep deletes an orphan when it reaches the retention, with no pass before', async () => {
    const retentionMs = 60_000;
    // Due in about 300 ms.
    const d = dataDir('sweep', { soon: { attempts: ['map-00000-a1'], ageMs: retentionMs - 300 } });
    const { orphans } = await removeStaleFiles(d, master({ retentionMs }), new Set());
    assert.ok(exists(d, 'soon'));
    const sweep = new OrphanSweep(d, createLogger('test'));
    try {
      sweep.watch(orphans, retentionMs);
      const deadline = Date.now() + 10_000;
      while (exists(d, 'soon')) {
        assert.ok(Date.now() < deadline, 'the orphan was never deleted');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      sweep.stop();
    }
  });
});
