import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Job, JobJournal, Journal, JournalError, LOCK_FILE, Master, SplitPlan } from '../../master/index.js';
import { JobManager, WorkerRegistry, lockDataDir, recoverJobs } from '../../master/index.js';
import { createLogger } from '../../common/index.js';
import type { InputFile, JobSpec } from '../../master/index.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-journal-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

let dirs = 0;
function freshDir(): string {
  const dir = path.join(scratch, `d${dirs++}`);
  fs.mkdirSync(dir);
  return dir;
}

const noFailure = (err: JournalError): void => assert.fail(err.message);

const FILES: InputFile[] = [{ path: '/data/in.txt', size: 3 * 4096 }];

function spec(id: string): JobSpec {
  return {
    id,
    name: 'wc',
    packHash: 'a'.repeat(64),
    inputs: ['/data/in.txt'],
    partitions: 2,
    params: { k: 'v' },
    sortBufferBytes: 1 << 20,
    maxAttempts: 4,
    speculation: false,
  };
}

/** A journal holding one finished and one running job (map 1 committed, map 0's output then lost). */
async function writeJournal(dir: string): Promise<void> {
  const journal = Journal.open(dir, noFailure);
  const jj = new JobJournal(journal);
  const splits = new SplitPlan(FILES, { chunkSize: 4096, pack: true });
  const done = new Job(spec('done-1'), splits);
  const running = new Job(spec('running-2'), splits);
  jj.submitted(done, 1, FILES, splits, true);
  jj.submitted(running, 2, FILES, splits, true);
  const stats = { recordsIn: 5, recordsOut: 7, spills: 0, millis: 12 };
  const at = (n: number, workerId: string) => ({ n, workerId, startedAt: 0, speculative: false });
  for (const m of [0, 1, 2])
    jj.committed(done, done.map(m), at(0, 'w1'), 'h1:1', { offsets: [0, 10, 20] }, { c: 1 }, stats);
  for (const r of [0, 1]) jj.committed(done, done.reduce(r), at(1, 'w2'), 'h2:2', { records: 3, bytes: 30 }, {}, stats);
  jj.ended(done, 'succeeded', '', '');
  jj.committed(running, running.map(0), at(0, 'w1'), 'h1:1', { offsets: [0, 5, 9] }, { c: 2 }, stats);
  jj.committed(running, running.map(1), at(2, 'w2'), 'h2:2', { offsets: [0, 1, 4] }, { c: 3 }, stats);
  jj.outputLost(running, running.map(0));
  await jj.durable();
  await journal.close();
}

describe('the master journal', () => {
  it('gives back what was journaled: finished jobs as they ended, running ones with their commits', async () => {
    const dir = freshDir();
    await writeJournal(dir);
    const journal = Journal.open(dir, noFailure);
    const { jobs, seq, hosts } = recoverJobs(journal);
    assert.equal(seq, 2);
    assert.deepEqual([...hosts].sort(), [
      ['w1', 'h1:1'],
      ['w2', 'h2:2'],
    ]);
    const [done, running] = jobs as [Job, Job];
    assert.equal(done.state, 'succeeded');
    assert.equal(done.mapsDone, 3);
    assert.equal(done.reducesDone, 2);
    assert.equal(done.counters['c'], 3);
    assert.deepEqual(done.partFile(done.reduce(1)), {
      workerId: 'w2',
      dataAddress: 'h2:2',
      attempt: 1,
      path: 'jobs/done-1/reduce-00001-a1/part.data',
      records: 3,
      bytes: 30,
    });
    assert.equal(running.state, 'running');
    assert.deepEqual(
      [0, 1, 2].map((m) => running.map(m).state),
      ['pending', 'succeeded', 'pending'],
    );
    assert.equal(running.counters['c'], 3);
    assert.equal(running.mapOutput(running.map(1))?.attempt, 2);
    assert.deepEqual(running.mapOutput(running.map(1))?.offsets, [0, 1, 4]);
    assert.deepEqual(running.spec.params, { k: 'v' });
    // A resumed job's attempts are numbered past any the master before it may have started.
    assert.equal(running.startAttempt(running.map(0), 'w1', Date.now(), false).n, 1000);
    await journal.close();
    // Each restart counts: the next master numbers from 2000.
    const again = Journal.open(dir, noFailure);
    const [, twice] = recoverJobs(again).jobs as [Job, Job];
    assert.equal(twice.startAttempt(twice.map(0), 'w1', Date.now(), false).n, 2000);
    await again.close();
  });

  it('keeps the outputs of a worker expected back, and makes them again once it is not back in time', async () => {
    const dir = freshDir();
    await writeJournal(dir);
    const journal = Journal.open(dir, noFailure);
    const recovered = recoverJobs(journal);
    const workers = new WorkerRegistry();
    const policy = { maxAttempts: 4, blacklistAfter: 3, speculationFactor: 1.5, speculationMinMs: 60_000 };
    const jobs = new JobManager(workers, { ...policy, retryBackoffMs: 10, prefetch: 1 }, createLogger('test'));
    try {
      const expected = [...recovered.hosts].map(([id, address]) =>
        workers.expect(id, address, 0, (w) => jobs.workerLost(w)),
      );
      jobs.recover(recovered.jobs, recovered.seq);
      const running = jobs.get('running-2');
      assert.deepEqual(
        expected.map((w) => w.state),
        ['expected', 'expected'],
      );
      // Its committed map is still counted while its worker may come back...
      assert.equal(running.map(1).state, 'succeeded');
      const onW2 = jobs.committedOn('w2').find((c) => c.jobId === 'running-2');
      assert.deepEqual([onW2?.mapIndex, onW2?.mapAttempt], [[1], [2]]);
      // ...and run again once the heartbeat monitor gives the worker up.
      (expected[1] as { disconnect: (why: string) => void }).disconnect('not back in time');
      assert.equal(workers.get('w2')?.state, 'lost');
      assert.equal(running.map(1).state, 'pending');
      // A finished job's part files there stay listed as they were (results say they are lost).
      assert.equal(jobs.get('done-1').state, 'succeeded');
    } finally {
      jobs.close();
      await journal.close();
    }
  });

  it('forgets a purged job', async () => {
    const dir = freshDir();
    await writeJournal(dir);
    const journal = Journal.open(dir, noFailure);
    journal.purged('done-1');
    await journal.durable();
    await journal.close();
    const reopened = Journal.open(dir, noFailure);
    assert.deepEqual(
      recoverJobs(reopened).jobs.map((j) => j.id),
      ['running-2'],
    );
    await reopened.close();
  });

  it('refuses a truncated journal, naming the file and what to do', async () => {
    const dir = freshDir();
    await writeJournal(dir);
    const file = path.join(dir, 'journal.db');
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    assert.throws(
      () => Journal.open(dir, noFailure),
      (err: unknown) => {
        assert.ok(err instanceof JournalError, String(err));
        assert.match(err.message, /^journal \S+journal\.db (is corrupted|cannot be read).*; restore it from a backup/);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      },
    );
    fs.truncateSync(file, 0);
    assert.throws(() => Journal.open(dir, noFailure), /journal \S+journal\.db is empty \(truncated\); restore it/);
  });

  it('refuses a corrupted journal', async () => {
    const dir = freshDir();
    await writeJournal(dir);
    const file = path.join(dir, 'journal.db');
    const bytes = fs.readFileSync(file);
    // Garbage over every page but the first (the header stays valid, the tables do not).
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    fs.writeFileSync(file, bytes);
    assert.throws(
      () => Journal.open(dir, noFailure),
      (err: unknown) => {
        assert.ok(err instanceof JournalError, String(err));
        assert.match(err.message, /journal \S+journal\.db (is corrupted|cannot be read)/);
        return true;
      },
    );
    fs.writeFileSync(file, 'not a database at all, just text '.repeat(200));
    assert.throws(
      () => Journal.open(dir, noFailure),
      /journal \S+journal\.db cannot be read \(file is not a database\)/,
    );
  });

  it('refuses a journal of a newer format, and the master stops at start on it', async () => {
    const dir = freshDir();
    await writeJournal(dir);
    const db = new Database(path.join(dir, 'journal.db'));
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'format'").run();
    db.close();
    await assert.rejects(Master.start({ port: 0, dataDir: dir }), {
      name: 'JournalError',
      message: new RegExp(
        `^journal ${path.join(dir, 'journal.db')} was written by a newer Groove \\(journal format 99; this master reads up to 1\\); run a newer master`,
      ),
    });
    // The refused start gave its lock back.
    assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false);
  });

  it('lets one master at a time use a data dir, and takes over the lock of a dead one', () => {
    const dir = freshDir();
    const lock = lockDataDir(dir);
    assert.throws(() => lockDataDir(dir), /data dir \S+ is in use by another master of this process/);
    lock.release();
    // A lock left by a master killed with -9: its pid is dead.
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    fs.writeFileSync(path.join(dir, LOCK_FILE), dead.stdout);
    const taken = lockDataDir(dir);
    assert.equal(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim(), String(process.pid));
    taken.release();
    // A lock of a live process (this test's parent stands in for another master) is respected.
    fs.writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid}\n`);
    assert.throws(
      () => lockDataDir(dir),
      new RegExp(`data dir \\S+ is in use by another master \\(pid ${process.ppid}, see \\S+master\\.lock\\); stop it`),
    );
  });
});
