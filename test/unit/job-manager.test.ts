import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLogger, UserError } from '../../common/index.js';
import { expectedAttemptDir, renderJobEvent, WorkerRegistry } from '../../master/index.js';
import type { Job } from '../../master/index.js';
import { JobManager, MAX_FETCH_FAILURES_PER_TASK, MAX_OUTPUT_LOSSES_PER_TASK } from '../../master/index.js';
import type { Submission } from '../../master/index.js';
import type { WorkerEntry } from '../../master/index.js';
import { grooveProto } from '../../proto/wire/index.js';
import type { MasterMessage, MasterMessage__Output } from '../../proto/wire/generated/groove/MasterMessage';
import type { TaskAssignment } from '../../proto/wire/generated/groove/TaskAssignment';
import type { TaskUpdate__Output } from '../../proto/wire/generated/groove/TaskUpdate';

/**
 * The job manager driven the way worker sessions drive it: workers are registry entries
 * whose messages the test reads, and whose task updates it sends back.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-jm-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface TestWorker {
  readonly entry: WorkerEntry;
  readonly inbox: MasterMessage[];
}

/** What a worker's session decodes from a message the master sent already encoded. */
const decode = grooveProto().groove.Master.service.Session.responseDeserialize as (b: Buffer) => MasterMessage__Output;

function addWorker(registry: WorkerRegistry, id: string): TestWorker {
  const inbox: MasterMessage[] = [];
  const send = (m: MasterMessage | Buffer): void => {
    inbox.push(Buffer.isBuffer(m) ? decode(m) : m);
  };
  const entry = registry.register({
    id,
    dataAddress: `10.0.0.${id.slice(1)}:7001`,
    slots: 1,
    hostname: id,
    send,
    disconnect: () => {},
  });
  return { entry, inbox };
}

/** The assignments a worker got since the last call. */
function takeAssignments(w: TestWorker): TaskAssignment[] {
  const out = w.inbox.filter((m) => m.assign).map((m) => m.assign as TaskAssignment);
  w.inbox.length = 0;
  return out;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function update(a: TaskAssignment, over: Partial<TaskUpdate__Output>): TaskUpdate__Output {
  return {
    jobId: a.jobId as string,
    taskId: a.taskId as string,
    attempt: a.attempt as number,
    outcome: 'TASK_SUCCEEDED',
    error: '',
    errorDetail: '',
    counters: {},
    lostMapTasks: [],
    userError: false,
    permanentError: false,
    failureReason: '',
    stats: null,
    mapOutput: null,
    reduceOutput: null,
    ...over,
  };
}

/** A map succeeds with output offsets [0, n, 2n] for its index n (2 partitions) and n input records. */
function mapDone(a: TaskAssignment): TaskUpdate__Output {
  const n = Number((a.taskId as string).slice(4)) + 1;
  const stats = { recordsIn: n, recordsOut: n, bytesIn: n, bytesOut: 2 * n, millis: 1, spills: 0 };
  return update(a, {
    mapOutput: {
      dir: expectedAttemptDir(a.jobId as string, a.taskId as string, a.attempt as number),
      offsets: [0, n, 2 * n],
    },
    stats,
  });
}

/** Runs every map of a three-map job on workers taking turns; returns which worker ran each map. */
async function runMaps(jobs: JobManager, job: Job, workers: readonly TestWorker[]): Promise<Map<string, string>> {
  const where = new Map<string, string>();
  for (let round = 0; round < 3 && job.mapsDone < 3; round++) {
    await turn();
    for (const w of workers) {
      for (const a of takeAssignments(w)) {
        assert.equal(a.kind, 'MAP');
        where.set(a.taskId as string, w.entry.id);
        jobs.taskUpdate(w.entry, mapDone(a));
      }
    }
  }
  return where;
}

/** Each map's output is its first attempt's, on the worker that ran it, with mapDone's offsets. */
function assertFirstMapOutputs(job: Job, registry: WorkerRegistry, where: ReadonlyMap<string, string>): void {
  for (let i = 0; i < 3; i++) {
    const out = job.mapOutput(job.map(i));
    const id = `map-0000${i}`;
    const w = where.get(id) as string;
    assert.deepEqual(out, {
      workerId: w,
      dataAddress: registry.get(w)?.dataAddress,
      attempt: 0,
      dir: `jobs/${job.id}/${id}-a0`,
      offsets: [0, i + 1, 2 * (i + 1)],
    });
  }
}

/** Completes the maps w is given until it is given a reduce, and returns that (undefined after 10 turns). */
async function runUntilReduce(jobs: JobManager, w: TestWorker): Promise<TaskAssignment | undefined> {
  let reduce: TaskAssignment | undefined;
  for (let round = 0; round < 10 && !reduce; round++) {
    await turn();
    for (const a of takeAssignments(w)) {
      if (a.kind === 'MAP') jobs.taskUpdate(w.entry, mapDone(a));
      else reduce = a;
    }
  }
  return reduce;
}

/**
 * The reduce's columns list the maps' outputs where they are now, partition by partition:
 * all on w2, the `rerun` maps in their second attempt.
 */
function assertReduceColumns(reduce: TaskAssignment, rerun: readonly string[]): void {
  const p = reduce.partition as number;
  assert.deepEqual(reduce.outputHosts, [{ workerId: 'w2', dataAddress: '10.0.0.2:7001' }]);
  assert.deepEqual(reduce.outputHost, [0, 0, 0]);
  assert.deepEqual(
    reduce.outputAttempt,
    ['map-00000', 'map-00001', 'map-00002'].map((id) => (rerun.includes(id) ? 1 : 0)),
  );
  assert.deepEqual(
    reduce.outputStart,
    [1, 2, 3].map((n) => p * n),
  );
  assert.deepEqual(
    reduce.outputEnd,
    [1, 2, 3].map((n) => (p + 1) * n),
  );
}

/** The reducer on w2 cannot fetch map-00001: that map runs again (on a new w3), its old location forgotten. */
async function failFetchOfMap1(
  jobs: JobManager,
  registry: WorkerRegistry,
  job: Job,
  reduce: TaskAssignment,
  w2: TestWorker,
): Promise<void> {
  jobs.taskUpdate(
    w2.entry,
    update(reduce, { outcome: 'TASK_FAILED', error: 'fetch failed', lostMapTasks: ['map-00001'] }),
  );
  assert.equal(job.mapOutput(job.map(1)), undefined);
  assert.equal(job.map(1).state, 'pending');
  assert.equal(job.map(1).hasFailedOn('w2'), true);
  assert.equal(job.failedAttempts, 0, 'a failed fetch is not charged to the reduce');
  const w3 = addWorker(registry, 'w3');
  jobs.workerJoined(w3.entry);
  await turn();
  const [again] = takeAssignments(w3);
  assert.equal(again?.taskId, 'map-00001', 'the retry prefers a worker it has not failed on');
  jobs.taskUpdate(w3.entry, mapDone(again));
  assert.deepEqual(job.mapOutput(job.map(1))?.workerId, 'w3');
}

describe('JobManager with columnar task records', () => {
  it('keeps map output locations right through completion, worker loss and a failed fetch', async () => {
    const input = path.join(dir, 'in.txt');
    fs.writeFileSync(input, 'abcdef');
    const registry = new WorkerRegistry();
    const jobs = new JobManager(
      registry,
      {
        maxAttempts: 4,
        blacklistAfter: 3,
        speculationFactor: 1.5,
        speculationMinMs: 60_000,
        retryBackoffMs: 0,
        prefetch: 1,
      },
      createLogger('test'),
    );
    try {
      const w1 = addWorker(registry, 'w1');
      const w2 = addWorker(registry, 'w2');
      const job: Job = await jobs.submit({
        name: 't',
        packHash: 'h',
        inputs: [input],
        partitions: 2,
        params: {},
        chunkSize: 2,
        sortBufferBytes: 1 << 20,
        maxAttempts: 0,
        speculation: false,
      });
      assert.equal(job.maps.length, 3);
      const records = (): number => job.counters['groove.map.input.records'] ?? 0;

      // Run every map: w1 and w2 take turns, one slot each.
      const where = await runMaps(jobs, job, [w1, w2]);
      assert.equal(job.mapsDone, 3);
      assert.equal(records(), 1 + 2 + 3);
      assertFirstMapOutputs(job, registry, where);
      const onW1 = [...where].filter(([, w]) => w === 'w1').map(([t]) => t);
      assert.ok(onW1.length > 0);

      // w1 is lost before the reduces start (scheduling waits for the next turn): its map
      // outputs are computed again on w2.
      jobs.workerLost(w1.entry);
      for (const id of onW1)
        assert.equal(job.mapOutput(job.task(id) as never), undefined, `${id} output should be gone`);
      assert.equal(
        records(),
        [...where].filter(([, w]) => w === 'w2').reduce((s, [t]) => s + Number(t.slice(4)) + 1, 0),
        "the lost maps' counters are taken back",
      );
      const lostEvents = job.events
        .map(renderJobEvent)
        .filter((e) => e.type === 'output-lost')
        .map((e) => e.message.split(':')[0]);
      assert.deepEqual(lostEvents.sort(), [...onW1].sort());
      const reduce = await runUntilReduce(jobs, w2);
      assert.ok(reduce, 'a reduce was assigned');
      assert.equal(records(), 6);
      for (const id of onW1) {
        const out = job.mapOutput(job.task(id) as never);
        assert.equal(out?.workerId, 'w2');
        assert.equal(out?.attempt, 1, 'the second attempt is the committed one');
      }
      assertReduceColumns(reduce, onW1);
      await failFetchOfMap1(jobs, registry, job, reduce, w2);
      assert.equal(records(), 6);
    } finally {
      jobs.close();
    }
  });

  it('fails the job at the first permanent failure (an input that is not text), and retries other failures', async () => {
    const input = path.join(dir, 'in2.txt');
    fs.writeFileSync(input, 'abcdef');
    const registry = new WorkerRegistry();
    const jobs = new JobManager(
      registry,
      {
        maxAttempts: 4,
        blacklistAfter: 3,
        speculationFactor: 1.5,
        speculationMinMs: 60_000,
        retryBackoffMs: 0,
        prefetch: 1,
      },
      createLogger('test'),
    );
    try {
      const w1 = addWorker(registry, 'w1');
      const job: Job = await jobs.submit({
        name: 't',
        packHash: 'h',
        inputs: [input],
        partitions: 2,
        params: {},
        chunkSize: 1 << 20,
        sortBufferBytes: 1 << 20,
        maxAttempts: 0,
        speculation: false,
      });
      await turn();
      const [first] = takeAssignments(w1);
      jobs.taskUpdate(
        w1.entry,
        update(first as TaskAssignment, { outcome: 'TASK_FAILED', error: 'map threw', userError: true }),
      );
      assert.equal(job.state, 'running', 'a user error is retried');
      let retry: TaskAssignment | undefined;
      for (let i = 0; i < 10 && !retry; i++) {
        await turn();
        [retry] = takeAssignments(w1);
      }
      assert.ok(retry, 'the map is assigned again');
      jobs.taskUpdate(
        w1.entry,
        update(retry, {
          outcome: 'TASK_FAILED',
          error: 'input /x.gz is gzip-compressed, not text',
          userError: true,
          permanentError: true,
        }),
      );
      assert.equal(job.state, 'failed');
      assert.equal(job.failedAttempts, 2);
      assert.match(job.error, /map-00000 .*gzip-compressed, not text/);
    } finally {
      jobs.close();
    }
  });
});

const POLICY = {
  maxAttempts: 4,
  blacklistAfter: 3,
  speculationFactor: 1.5,
  speculationMinMs: 60_000,
  retryBackoffMs: 0,
  prefetch: 1,
};

function sub(inputs: string[], over: Partial<Submission> = {}): Submission {
  return {
    name: 'wordcount',
    packHash: 'h',
    inputs,
    partitions: 2,
    params: {},
    chunkSize: 2,
    sortBufferBytes: 1 << 20,
    maxAttempts: 0,
    speculation: false,
    ...over,
  };
}

describe('JobManager robustness', () => {
  const input = path.join(dir, 'six.txt');
  fs.writeFileSync(input, 'abcdef');

  it('gives 600 simultaneous jobs of one name 600 ids, and never replaces a job', async () => {
    const jobs = new JobManager(new WorkerRegistry(), POLICY, createLogger('test'));
    try {
      const submitted = await Promise.all(Array.from({ length: 600 }, () => jobs.submit(sub([input]))));
      assert.equal(new Set(submitted.map((j) => j.id)).size, 600);
      assert.equal(jobs.list().length, 600);
      for (const j of submitted) assert.equal(jobs.get(j.id), j);
      // The random part alone (the old scheme) would collide: the sequence number must be there.
      assert.match(submitted[0]?.id ?? '', /^wordcount-\d{8}-\d{6}-\d+-[0-9a-f]{4}$/);
    } finally {
      jobs.close();
    }
  });

  it('refuses a job over the per-job map limit or the per-master task limit, naming the limit', async () => {
    const big = path.join(dir, 'big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 1024 * 1024 * 1024);
    const jobs = new JobManager(new WorkerRegistry(), POLICY, createLogger('test'));
    try {
      // A 1 GiB file at 1 KiB per split: 1,048,576 maps, over 1,000,000.
      await assert.rejects(
        jobs.submit(sub([big], { chunkSize: 1024 })),
        (err: Error) =>
          err instanceof UserError && /1,048,576 map tasks; the limit is 1,000,000 per job/.test(err.message),
      );
      // maps x (partitions + 1) offsets: 100,000 maps x 10,000 partitions.
      await assert.rejects(
        jobs.submit(sub([big], { chunkSize: 10_738, partitions: 10_000 })),
        /map output offsets per job/,
      );
      assert.equal(jobs.list().length, 0, 'nothing of a refused job is kept');
      // Four jobs of 1,000,000 tasks fill the master; the fifth is refused until one is purged.
      const full: Job[] = [];
      for (let i = 0; i < 4; i++) full.push(await jobs.submit(sub([big], { chunkSize: 1074, partitions: 1 })));
      assert.equal(full[0]?.maps.length, 999_760);
      const more = sub([big], { chunkSize: 1024 * 1024, partitions: 1 });
      await assert.rejects(
        jobs.submit(more),
        /the master holds 3,999,044 tasks; this job's 1,025 would pass its limit of 4,000,000 \(purge/,
      );
      jobs.purge(full[0]?.id);
      await jobs.submit(more);
    } finally {
      jobs.close();
      fs.rmSync(big);
    }
  });

  it('sizes splits for the alive slots unless the chunk size was given, and assigns every piece of a packed split', async () => {
    const registry = new WorkerRegistry();
    const jobs = new JobManager(registry, POLICY, createLogger('test'));
    const mb = path.join(dir, 'one-mb.txt');
    fs.writeFileSync(mb, 'line\n'.repeat((1024 * 1024) / 5));
    const small = ['s0.txt', 's1.txt', 's2.txt'].map((f) => path.join(dir, f));
    for (const f of small) fs.writeFileSync(f, `${f}\n`);
    try {
      const workers = ['w1', 'w2', 'w3'].map((id) => addWorker(registry, id));
      const defaults = { chunkSize: 64 * 1024 * 1024, chunkSizeIsDefault: true };
      // 3 slots alive: a 1 MB file is cut in 3; given explicitly, 64 MiB is one split.
      assert.equal((await jobs.submit(sub([mb], defaults))).maps.length, 3);
      assert.equal((await jobs.submit(sub([mb], { chunkSize: 64 * 1024 * 1024 }))).maps.length, 1);
      registry.drain((workers[0] as TestWorker).entry);
      assert.equal((await jobs.submit(sub([mb], defaults))).maps.length, 2, 'a draining worker has no slot to fill');
      for (const j of jobs.list()) jobs.kill(j.id);
      await turn();
      for (const w of workers) takeAssignments(w);
      // The small files, packed, are one map task whose assignment lists them in order.
      const packed = await jobs.submit(sub(small, defaults));
      assert.equal(packed.maps.length, 1);
      assert.equal((await jobs.submit(sub(small, { ...defaults, packInputs: false }))).maps.length, 3);
      await turn();
      const assigned = workers.flatMap(takeAssignments).find((x) => x.jobId === packed.id);
      assert.deepEqual(assigned?.mapInput?.pieces, [
        { path: small[0], start: 0, length: (small[0] as string).length + 1 },
        { path: small[1], start: 0, length: (small[1] as string).length + 1 },
        { path: small[2], start: 0, length: (small[2] as string).length + 1 },
      ]);
    } finally {
      jobs.close();
    }
  });

  it('fails a job whose reduce cannot fetch a map output, naming the address, after a bounded number of tries', async () => {
    const registry = new WorkerRegistry();
    const jobs = new JobManager(registry, POLICY, createLogger('test'));
    try {
      const w1 = addWorker(registry, 'w1');
      const job = await jobs.submit(sub([input], { partitions: 1, chunkSize: 6 }));
      let rounds = 0;
      while (!job.finished && rounds++ < 100) {
        await turn();
        for (const a of takeAssignments(w1)) {
          if (a.kind === 'MAP')
            jobs.taskUpdate(
              w1.entry,
              update(a, {
                mapOutput: {
                  dir: expectedAttemptDir(a.jobId as string, a.taskId as string, a.attempt as number),
                  offsets: [0, 6],
                },
              }),
            );
          else
            jobs.taskUpdate(
              w1.entry,
              update(a, { outcome: 'TASK_FAILED', error: 'connect ECONNREFUSED', lostMapTasks: ['map-00000'] }),
            );
        }
      }
      assert.equal(job.state, 'failed');
      assert.equal(
        job.events.map(renderJobEvent).filter((e) => e.type === 'fetch-failed').length,
        MAX_FETCH_FAILURES_PER_TASK,
      );
      assert.match(
        job.error,
        /^reduce-00000 could not fetch its input 16 times \(last from worker w1 at 10\.0\.0\.1:7001\): connect ECONNREFUSED$/,
      );
    } finally {
      jobs.close();
    }
  });

  it('does not count against a reduce the fetches of outputs the master had already written off', async () => {
    const registry = new WorkerRegistry();
    const jobs = new JobManager(registry, POLICY, createLogger('test'));
    try {
      const w1 = addWorker(registry, 'w1');
      const job = await jobs.submit(sub([input], { partitions: 1, chunkSize: 6 }));
      let stale = 0;
      let rounds = 0;
      while (!job.finished && rounds++ < 200) {
        await turn();
        for (const a of takeAssignments(w1)) {
          if (a.kind === 'MAP') {
            jobs.taskUpdate(
              w1.entry,
              update(a, {
                mapOutput: {
                  dir: expectedAttemptDir(a.jobId as string, a.taskId as string, a.attempt as number),
                  offsets: [0, 6],
                },
              }),
            );
          } else if (stale < 2 * MAX_FETCH_FAILURES_PER_TASK) {
            // The reducer raced a loss the master already knows of: the map runs again anyway.
            const map = job.task('map-00000');
            assert.ok(map);
            job.dropOutput(map);
            job.setTaskState(map, 'pending');
            stale++;
            jobs.taskUpdate(
              w1.entry,
              update(a, { outcome: 'TASK_FAILED', error: 'connect ECONNREFUSED', lostMapTasks: ['map-00000'] }),
            );
          } else {
            jobs.taskUpdate(
              w1.entry,
              update(a, {
                reduceOutput: {
                  path: `${expectedAttemptDir(a.jobId as string, a.taskId as string, a.attempt as number)}/part.data`,
                  records: 1,
                  bytes: 1,
                  outputUrl: '',
                },
              }),
            );
          }
        }
      }
      assert.equal(stale, 2 * MAX_FETCH_FAILURES_PER_TASK);
      assert.equal(job.state, 'succeeded', job.error);
    } finally {
      jobs.close();
    }
  });

  it('fails a job whose map output keeps being lost with its worker, after a bounded number of recomputations', async () => {
    const registry = new WorkerRegistry();
    const jobs = new JobManager(registry, POLICY, createLogger('test'));
    try {
      const job = await jobs.submit(sub([input], { partitions: 1, chunkSize: 6 }));
      let w = addWorker(registry, 'w1');
      for (let n = 0; n < 2 * MAX_OUTPUT_LOSSES_PER_TASK && !job.finished; n++) {
        await turn();
        for (const a of takeAssignments(w))
          jobs.taskUpdate(
            w.entry,
            update(a, {
              mapOutput: {
                dir: expectedAttemptDir(a.jobId as string, a.taskId as string, a.attempt as number),
                offsets: [0, 6],
              },
            }),
          );
        // The worker flaps: the map output it just committed goes with it.
        jobs.workerLost(w.entry);
        w = addWorker(registry, 'w1');
        jobs.workerJoined(w.entry);
      }
      assert.equal(job.state, 'failed');
      assert.equal(
        job.events.map(renderJobEvent).filter((e) => e.type === 'output-lost').length,
        MAX_OUTPUT_LOSSES_PER_TASK,
      );
      assert.match(
        job.error,
        /^map-00000 lost its output 64 times; last: its output was lost with worker w1 at 10\.0\.0\.1:7001$/,
      );
    } finally {
      jobs.close();
    }
  });

  it("lists a rejoining worker's committed outputs and serves them from its new address", async () => {
    const registry = new WorkerRegistry();
    const jobs = new JobManager(registry, POLICY, createLogger('test'));
    try {
      const w1 = addWorker(registry, 'w1');
      const job = await jobs.submit(sub([input], { partitions: 1, chunkSize: 3 }));
      while (!job.finished) {
        await turn();
        for (const a of takeAssignments(w1))
          jobs.taskUpdate(
            w1.entry,
            a.kind === 'MAP'
              ? update(a, {
                  mapOutput: {
                    dir: expectedAttemptDir(a.jobId as string, a.taskId as string, a.attempt as number),
                    offsets: [0, 3],
                  },
                })
              : update(a, {
                  reduceOutput: {
                    path: `${expectedAttemptDir(a.jobId as string, a.taskId as string, a.attempt as number)}/part.data`,
                    records: 1,
                    bytes: 1,
                    outputUrl: '',
                  },
                }),
          );
      }
      assert.equal(job.state, 'succeeded');
      jobs.workerLost(w1.entry);
      const back = registry.register({ ...w1.entry, dataAddress: '10.0.0.1:9999' });
      assert.deepEqual(jobs.committedOn('w1'), [
        { jobId: job.id, mapIndex: [0, 1], mapAttempt: [0, 0], reduceIndex: [0], reduceAttempt: [0] },
      ]);
      jobs.workerJoined(back);
      assert.equal(job.partFile(job.reduce(0))?.dataAddress, '10.0.0.1:9999');
      assert.equal(job.mapOutput(job.map(1))?.dataAddress, '10.0.0.1:9999');
      assert.deepEqual(jobs.committedOn('w2'), []);
    } finally {
      jobs.close();
    }
  });
});
