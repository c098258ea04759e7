import { after, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLogger } from '../../common/index.js';
import {
  IllegalTransitionError,
  JobManager,
  WorkerRegistry,
  expectedAttemptDir,
  planJob,
  renderJobEvent,
} from '../../master/index.js';
import type { Job, JobEvent, JobEventRecord, JobSpec } from '../../master/index.js';
import { grooveProto } from '../../proto/wire/index.js';
import type { MasterMessage__Output } from '../../proto/wire/generated/groove/MasterMessage';
import type { TaskAssignment } from '../../proto/wire/generated/groove/TaskAssignment';
import type { TaskUpdate__Output } from '../../proto/wire/generated/groove/TaskUpdate';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-events-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const render = (e: JobEvent): string => {
  const r = renderJobEvent({ ...e, time: 5 });
  assert.equal(r.time, 5);
  return `${r.type} ${r.message}`;
};

const STATS = { recordsIn: 10, recordsOut: 4, spills: 1, millis: 12.6 };
/** Every kind of event, and the text users have always seen for it. */
const RENDER_CASES: [JobEvent, string][] = [
  [{ kind: 'job-submitted', maps: 3, files: 2, reduces: 1 }, 'submitted 3 map tasks over 2 files, 1 reduce tasks'],
  [
    { kind: 'task-started', taskId: 'map-00000', attempt: 0, workerId: 'w1', speculative: false },
    'task-started map-00000 attempt 0 on w1',
  ],
  [
    { kind: 'task-started', taskId: 'map-00002', attempt: 1, workerId: 'w2', speculative: true },
    'task-started map-00002 attempt 1 on w2 (backup for a straggler)',
  ],
  [
    { kind: 'task-succeeded', taskId: 'map-00000', attempt: 0, workerId: 'w1', speculative: false, stats: STATS },
    'task-succeeded map-00000 attempt 0 on w1 (10 records in, 4 out, 1 spills, 13 ms)',
  ],
  [
    { kind: 'task-succeeded', taskId: 'map-00000', attempt: 1, workerId: 'w2', speculative: true, stats: STATS },
    'task-succeeded map-00000 attempt 1 (backup) on w2 (10 records in, 4 out, 1 spills, 13 ms)',
  ],
  [
    {
      kind: 'task-failed',
      taskId: 'map-00003',
      place: { input: '/data/a.txt', start: 0, length: 1000 },
      attempt: 2,
      workerId: 'w1',
      failures: 3,
      maxAttempts: 4,
      error: 'boom',
    },
    'task-failed map-00003 (input /data/a.txt, bytes 0-1000) attempt 2 on w1 failed (3 of 4): boom',
  ],
  [
    {
      kind: 'task-failed',
      taskId: 'map-00001',
      place: { input: '/data/s/a.txt', start: 0, length: 20, more: 399 },
      attempt: 0,
      workerId: 'w1',
      failures: 1,
      maxAttempts: 4,
      error: 'boom',
    },
    'task-failed map-00001 (input /data/s/a.txt, bytes 0-20, and 399 more inputs) attempt 0 on w1 failed (1 of 4): boom',
  ],
  [
    {
      kind: 'task-failed',
      taskId: 'reduce-00001',
      place: { partition: 1 },
      attempt: 0,
      workerId: 'w2',
      failures: 1,
      maxAttempts: 4,
      error: 'failed',
    },
    'task-failed reduce-00001 (partition 1) attempt 0 on w2 failed (1 of 4): failed',
  ],
  [
    {
      kind: 'fetch-failed',
      taskId: 'reduce-00000',
      attempt: 0,
      workerId: 'w1',
      lostMapTasks: ['map-00000', 'map-00002'],
      error: 'connect ECONNREFUSED',
    },
    'fetch-failed reduce-00000 on w1 could not fetch map-00000, map-00002: connect ECONNREFUSED',
  ],
  [
    { kind: 'attempt-lost', taskId: 'map-00001', attempt: 0, workerId: 'w3' },
    'attempt-lost map-00001 attempt 0 lost with worker w3',
  ],
  [
    {
      kind: 'attempt-cancelled',
      taskId: 'map-00001',
      attempt: 0,
      workerId: 'w3',
      reason: 'another attempt finished first',
    },
    'attempt-cancelled map-00001 attempt 0 on w3: another attempt finished first',
  ],
  [
    { kind: 'output-lost', taskId: 'map-00001', workerId: 'w3' },
    'output-lost map-00001: its output was on worker w3; running it again',
  ],
  [
    { kind: 'worker-blacklisted', workerId: 'w3', failures: 3 },
    'worker-blacklisted worker w3 gets no more tasks of this job after 3 failed attempts',
  ],
  [{ kind: 'job-succeeded' }, 'state succeeded'],
  [
    { kind: 'job-failed', error: 'map-00000 (partition 0): boom', errorDetail: 'stack' },
    'state failed: map-00000 (partition 0): boom',
  ],
  [{ kind: 'job-failed', error: '', errorDetail: '' }, 'state failed'],
  [{ kind: 'job-killed', reason: 'killed by user' }, 'state killed: killed by user'],
  [{ kind: 'job-killed', reason: '' }, 'state killed'],
];
describe('renderJobEvent', () => {
  it('renders every kind of event as the text users have always seen', () => {
    for (const [event, text] of RENDER_CASES) assert.equal(render(event), text);
  });
});

/** What a worker's session decodes from a message the master sent already encoded. */
const decode = grooveProto().groove.Master.service.Session.responseDeserialize as (b: Buffer) => MasterMessage__Output;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function outcome(a: TaskAssignment, over: Partial<TaskUpdate__Output>): TaskUpdate__Output {
  const base = {
    jobId: a.jobId as string,
    taskId: a.taskId as string,
    attempt: a.attempt as number,
    error: '',
    errorDetail: '',
    counters: {},
    lostMapTasks: [],
  };
  return {
    ...base,
    outcome: 'TASK_SUCCEEDED',
    userError: false,
    permanentError: false,
    failureReason: '',
    stats: null,
    mapOutput: null,
    reduceOutput: null,
    ...over,
  };
}

/** A successful report of the attempt, its output where the attempt's directory is. */
function succeeded(a: TaskAssignment): TaskUpdate__Output {
  const at = expectedAttemptDir(a.jobId as string, a.taskId as string, a.attempt as number);
  const stats = { recordsIn: 3, recordsOut: 2, bytesIn: 3, bytesOut: 2, millis: 7, spills: 0 };
  return a.kind === 'MAP'
    ? outcome(a, { mapOutput: { dir: at, offsets: [0, 6] }, stats })
    : outcome(a, { reduceOutput: { path: `${at}/part.data`, records: 2, bytes: 9, outputUrl: '' }, stats });
}

/** The events' kinds and the ids in them, one line each, to compare sequences. */
function brief(events: readonly JobEventRecord[]): string[] {
  return events.map((e) => {
    const ids = [
      'taskId' in e ? e.taskId : '',
      'attempt' in e ? `a${e.attempt}` : '',
      'workerId' in e ? e.workerId : '',
    ];
    return [e.kind, ...ids.filter(Boolean)].join(' ');
  });
}

/** A JobManager with one registered worker whose assignments land in `inbox`. */
function oneWorkerManager() {
  const workers = new WorkerRegistry();
  const policy = {
    maxAttempts: 4,
    blacklistAfter: 3,
    speculationFactor: 1.5,
    speculationMinMs: 60_000,
    retryBackoffMs: 0,
    prefetch: 1,
  };
  const jobs = new JobManager(workers, policy, createLogger('test'));
  const inbox: TaskAssignment[] = [];
  const send = (m: unknown): void => {
    const message = Buffer.isBuffer(m) ? decode(m) : (m as MasterMessage__Output);
    if (message.assign) inbox.push(message.assign);
  };
  const w1 = workers.register({
    id: 'w1',
    dataAddress: '10.0.0.1:7001',
    slots: 1,
    hostname: 'h',
    send,
    disconnect: () => {},
  });
  return { jobs, inbox, w1 };
}

describe('Job events', () => {
  it('records the typed sequence of a simple job, each event also given to listeners', async () => {
    const input = path.join(dir, 'six.txt');
    fs.writeFileSync(input, 'abcdef');
    const { jobs, inbox, w1 } = oneWorkerManager();
    try {
      const job = await jobs.submit({
        name: 't',
        packHash: 'h',
        inputs: [input],
        partitions: 1,
        params: {},
        chunkSize: 3,
        sortBufferBytes: 1 << 20,
        maxAttempts: 0,
        speculation: false,
      });
      const heard: JobEventRecord[] = [];
      job.subscribe((e) => heard.push(e));
      let failedOnce = false;
      for (let round = 0; round < 20 && !job.finished; round++) {
        await turn();
        for (const a of inbox.splice(0)) {
          // The second map fails once: it runs again, as attempt 2.
          const fail: boolean = a.taskId === 'map-00001' && !failedOnce;
          failedOnce ||= fail;
          jobs.taskUpdate(w1, fail ? outcome(a, { outcome: 'TASK_FAILED', error: 'map threw' }) : succeeded(a));
        }
      }
      assert.equal(job.state, 'succeeded', job.error);
      assert.deepEqual(brief(job.events), [
        'job-submitted',
        'task-started map-00000 a0 w1',
        'task-succeeded map-00000 a0 w1',
        'task-started map-00001 a0 w1',
        'task-failed map-00001 a0 w1',
        'task-started map-00001 a1 w1',
        'task-succeeded map-00001 a1 w1',
        'task-started reduce-00000 a0 w1',
        'task-succeeded reduce-00000 a0 w1',
        'job-succeeded',
      ]);
      assert.deepEqual(job.events[0], {
        kind: 'job-submitted',
        maps: 2,
        files: 1,
        reduces: 1,
        time: job.events[0]?.time,
      });
      assert.deepEqual(heard, job.events.slice(1), 'listeners get every event after they subscribed');
      const failed = job.events.find((e) => e.kind === 'task-failed');
      assert.deepEqual(failed && { ...failed, time: 0 }, {
        kind: 'task-failed',
        taskId: 'map-00001',
        place: { input, start: 3, length: 3 },
        attempt: 0,
        workerId: 'w1',
        failures: 1,
        maxAttempts: 4,
        error: 'map threw',
        time: 0,
      });
      const times = job.events.map((e) => e.time);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        'events are stamped in order',
      );
      assert.equal(
        render(job.events[2] as JobEvent),
        'task-succeeded map-00000 attempt 0 on w1 (3 records in, 2 out, 0 spills, 7 ms)',
      );
    } finally {
      jobs.close();
    }
  });

  it('ends a killed job with one job-killed event, and refuses to end it twice', () => {
    const job = makeJob();
    job.finish('killed', 'killed by user');
    assert.deepEqual(brief(job.events), ['job-submitted', 'job-killed']);
    assert.equal(render(job.events[1] as JobEvent), 'state killed: killed by user');
    assert.throws(
      () => job.finish('failed', 'late'),
      (err: unknown) =>
        err instanceof IllegalTransitionError &&
        err.subject === 'job' &&
        err.message === 'illegal job transition killed -> failed (job job-1)',
    );
    assert.equal(job.events.length, 2, 'a refused transition records nothing');
  });

  it('refuses an illegal task transition, naming the job and the task', () => {
    const job = makeJob();
    job.failBecauseOf(job.map(0), 'bad input');
    assert.equal(job.map(0).state, 'failed');
    assert.throws(
      () => job.setTaskState(job.map(0), 'running'),
      (err: unknown) =>
        err instanceof IllegalTransitionError &&
        err.id === 'job-1/map-00000' &&
        err.from === 'failed' &&
        err.to === 'running',
    );
  });

  it('hands out jobs and tasks the compiler keeps read-only', () => {
    const job = makeJob();
    const task = job.map(0);
    // Never run: it only has to fail to compile if a field became writable from outside.
    const writes = (): void => {
      // @ts-expect-error the job's state changes only through Job.finish
      job.state = 'failed';
      // @ts-expect-error the done counts follow the task states
      job.mapsDone = 3;
      // @ts-expect-error failed attempts are counted by Job.failAttempt
      job.failedAttempts++;
      // @ts-expect-error the blacklist is kept by Job.failAttempt
      job.workerFailures.set('w1', 9);
      // @ts-expect-error events enter through Job's methods only
      job.events.push({ kind: 'job-succeeded', time: 0 });
      // @ts-expect-error attempts are numbered by Job.startAttempt
      task.nextAttempt = 5;
      // @ts-expect-error and started there
      task.running.set(0, { n: 0, workerId: 'w1', startedAt: 0, speculative: false });
      // @ts-expect-error the columns are read through a view
      job.maps.setState(0, 'running');
    };
    assert.equal(typeof writes, 'function');
    assert.equal(job.state, 'running');
  });
});

function makeJob(): Job {
  const spec: JobSpec = {
    id: 'job-1',
    name: 'test',
    packHash: 'hash',
    inputs: ['/in'],
    partitions: 1,
    params: {},
    sortBufferBytes: 1 << 20,
    maxAttempts: 4,
    speculation: false,
  };
  return planJob(spec, [{ path: '/in/a', size: 2 }], 1);
}
