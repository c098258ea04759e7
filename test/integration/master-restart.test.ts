import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { spawn } from 'node:child_process';
import { MR, ROOT, mrEnv, runMr, startDaemon } from '../helpers/cli.js';
import type { Daemon, MrResult } from '../helpers/cli.js';
import { waitUntil } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { collectEvents, collectResults } from '../helpers/job-output.js';
import { referenceWordCount } from '../helpers/reference.js';

const GATED_MAPS = 'test/fixtures/gated-wordcount.ts';
const GATED_REDUCE = 'test/fixtures/gated-reduce.ts';
/** The attempt numbers a master restarted once gives resumed tasks (master/journal/recovery.ts). */
const FIRST_RESUMED_ATTEMPT = 1000;

/** An `mr` command left running across the kill: its first stdout line, and how it ended. */
function spawnMr(args: readonly string[]): { firstLine: Promise<string>; done: Promise<MrResult> } {
  const child = spawn(process.execPath, [MR, ...args], { cwd: ROOT, env: mrEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let resolveLine: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (resolveLine = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('\n')) resolveLine(out.split('\n')[0] as string);
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<MrResult>((resolve) =>
    child.on('close', (code) => {
      resolveLine('');
      resolve({ code, stdout: out, stderr: err });
    }),
  );
  return { firstLine, done };
}

/**
 * A master killed with SIGKILL mid-job and started again on the same data dir and port:
 * its journal brings the jobs back, the workers (left running) re-register, and the job
 * completes with exact results without running again what was committed before the kill.
 */
describe('a master restarted after kill -9', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-restart-'));
  const masterDir = path.join(dir, 'master');
  let master: Daemon;
  let address = '';
  const workers: Daemon[] = [];
  let files: string[] = [];
  let expected: Map<string, number>;
  /** The job of the first test, finished by the time the last one restarts the master. */
  let firstJob = '';

  const startMaster = async (port: number): Promise<void> => {
    const started = await startDaemon(
      ['master', '--host', '127.0.0.1', '--port', String(port), '--data-dir', masterDir],
      /listening on (127\.0\.0\.1:\d+)/,
    );
    master = started.daemon;
    address = started.match[1] as string;
  };

  const killMaster = async (): Promise<void> => {
    const exited = new Promise((resolve) => master.process.once('exit', resolve));
    master.process.kill('SIGKILL');
    await exited;
  };

  /** Kills the master with -9 and starts it again on its data dir and port; resolves with a fresh client once both workers are back. */
  const restartMaster = async (): Promise<GrooveClient> => {
    const port = Number(address.split(':')[1]);
    await killMaster();
    await startMaster(port);
    const client = new GrooveClient({ master: address });
    await waitUntil('both workers registered again', async () =>
      (await client.workers()).every((w) => w.state === 'alive'),
    );
    return client;
  };

  before(async () => {
    files = writeCorpus(path.join(dir, 'in'), 3, 3000);
    expected = referenceWordCount(files);
    await startMaster(0);
    for (let i = 0; i < 2; i++) {
      const w = await startDaemon(
        ['worker', '--master', address, '--host', '127.0.0.1', '--port', '0', '--slots', '1'].concat([
          '--data-dir',
          path.join(dir, `w${i}`),
        ]),
        /groove worker (\S+) serving data on (\S+),/,
      );
      workers.push(w.daemon);
    }
    const client = new GrooveClient({ master: address });
    try {
      await waitUntil('2 workers registered', async () => (await client.workers()).length === 2);
    } finally {
      client.close();
    }
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await master.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('in the map phase: the job completes, and the map committed before the kill does not run again', async () => {
    const gate = path.join(dir, 'map-gate');
    const before = new GrooveClient({ master: address });
    // Submitted by `mr submit --wait`, which must ride through the kill and the restart.
    const submit = spawnMr(
      [
        'submit',
        GATED_MAPS,
        '--input',
        ...files,
        '--partitions',
        '2',
        '--chunk-size',
        '8192',
        '--no-speculation',
      ].concat(['--param', `mapGate=${gate}`, '--param', 'ungatedMap=map-00000', '--wait', '--master', address]),
    );
    const id = await submit.firstLine;
    assert.ok(id, 'mr submit printed the job id');
    // map-00000 runs straight through; every other map waits at the gate.
    await waitUntil('map-00000 committed', async () => (await before.status(id)).mapsDone === 1);
    before.close();
    const client = await restartMaster();
    try {
      assert.equal((await client.status(id)).mapsDone, 1, 'the committed map is counted again');
      fs.writeFileSync(gate, '');
      const status = await client.wait(id);
      assert.equal(status.state, 'succeeded', status.error);
      assert.deepEqual(await collectResults(client, id), expected);
      const events = await collectEvents(client, id);
      assert.ok(
        events.some((e) => e.startsWith('task-succeeded map-00000 attempt 0 ')),
        events.join('\n'),
      );
      assert.ok(!events.some((e) => e.startsWith('task-started map-00000 ')), events.join('\n'));
      // Every attempt started after the restart is numbered past the old master's.
      const started = events.filter((e) => e.startsWith('task-started '));
      assert.ok(started.length >= status.mapsTotal - 1 + status.reducesTotal, events.join('\n'));
      for (const e of started) assert.ok(Number(/ attempt (\d+) /.exec(e)?.[1]) >= FIRST_RESUMED_ATTEMPT, e);
      const submitted = await submit.done;
      assert.equal(submitted.code, 0, submitted.stderr);
      firstJob = id;
    } finally {
      client.close();
    }
  });

  it('in the reduce phase: the job completes, and no committed map or reduce runs again', async () => {
    const ready = path.join(dir, 'reduce-ready');
    const before = new GrooveClient({ master: address });
    const id = await before.submit(GATED_REDUCE, {
      inputs: files,
      partitions: 2,
      chunkSize: 8192,
      speculation: false,
      params: { reduceGate: path.join(dir, 'never-opened'), reduceReady: ready, gated: 'reduce-00001' },
    });
    // reduce-00000 commits; reduce-00001's first attempt waits, forever, at a gate no one opens.
    await waitUntil(
      'reduce-00000 committed and reduce-00001 at its gate',
      async () => fs.existsSync(`${ready}.reduce-00001`) && (await before.status(id)).reducesDone === 1,
    );
    const maps = (await before.status(id)).mapsTotal;
    before.close();
    // `mr wait`, started before the kill, carries on watching the same job after the restart.
    const waiter = spawnMr(['wait', id, '--master', address]);
    const client = await restartMaster();
    try {
      const status = await client.wait(id);
      assert.equal(status.state, 'succeeded', status.error);
      assert.deepEqual(await collectResults(client, id), expected);
      const events = await collectEvents(client, id);
      assert.equal(events.filter((e) => e.startsWith('task-succeeded map-')).length, maps);
      const started = events.filter((e) => e.startsWith('task-started '));
      assert.deepEqual(
        started.map((e) => e.split(' ')[1]),
        ['reduce-00001'],
        events.join('\n'),
      );
      const waited = await waiter.done;
      assert.equal(waited.code, 0, waited.stderr);
      assert.equal(waited.stdout.trim(), `${id} succeeded`);
    } finally {
      client.close();
    }
  });

  it('keeps finished jobs: listed and their results read after a restart', async () => {
    assert.ok(firstJob, 'the map-phase test ran');
    const client = await restartMaster();
    try {
      const jobs = await client.jobs();
      assert.deepEqual(
        jobs.map((j) => j.state),
        ['succeeded', 'succeeded'],
      );
      assert.equal(jobs[0]?.jobId, firstJob);
      assert.deepEqual(await collectResults(client, firstJob), expected);
      const listed = await runMr(['jobs', '--master', address]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, new RegExp(firstJob));
    } finally {
      client.close();
    }
  });

  it('refuses a second master on the same data dir, in one line', async () => {
    const second = await runMr(['master', '--host', '127.0.0.1', '--port', '0', '--data-dir', masterDir]);
    assert.notEqual(second.code, 0);
    const pid = master.process.pid as number;
    assert.match(second.stderr.trim(), new RegExp(`^mr: data dir \\S+ is in use by another master \\(pid ${pid}, `));
    assert.equal(second.stderr.trim().split('\n').length, 1, second.stderr);
  });

  it('stops at start, in one line, on a corrupted journal', async () => {
    await master.stop();
    const journal = path.join(masterDir, 'journal.db');
    const bytes = fs.readFileSync(journal);
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    fs.writeFileSync(journal, bytes);
    const refused = await runMr(['master', '--host', '127.0.0.1', '--port', '0', '--data-dir', masterDir]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr.trim(), /^mr: journal \S+journal\.db (is corrupted|cannot be read).*; restore it/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    // The after hook stops a master: one that starts empty elsewhere.
    fs.rmSync(masterDir, { recursive: true, force: true });
    await startMaster(0);
  });
});
