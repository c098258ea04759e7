import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { spawn } from 'node:child_process';
import { MR, mrEnv, ROOT, runMr } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';

const GATED_STAGES = 'test/fixtures/gated-stages.ts';
const LOGS_STAGES = 'test/fixtures/logs-stages.ts';
/** How long the job may take to fail once the worker is killed: worker loss is seen when its session breaks. */
const FAIL_WITHIN_MS = 30_000;

/** The ready files the gated stage-2 maps wrote (`<ready>.<taskId>`), by task id. */
function readyTasks(dir: string, ready: string): string[] {
  const prefix = `${path.basename(ready)}.`;
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .map((f) => f.slice(prefix.length));
}

/** One printed line of `mr logs` of a staged job: TIME stageN/TASK aN LEVEL MESSAGE. */
interface Printed {
  readonly stage: number;
  readonly task: string;
  readonly attempt: number;
  readonly message: string;
}

function parsePrinted(text: string): Printed[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^\d{4}-\d\d-\d\dT\S+Z stage(\d)\/((?:map|reduce)-\d{5}) a(\d+) info (.*)$/.exec(l);
      assert.ok(m, `not a staged job's log line: ${l}`);
      return { stage: Number(m[1]), task: m[2] as string, attempt: Number(m[3]), message: m[4] as string };
    });
}

/**
 * The lines the logs-stages fixture logs for these input lines, computed here: stage 1's
 * map one per line and reduce one per distinct line; stage 2's map one per distinct line
 * and reduce one per distinct count.
 */
function expectedStageMessages(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [
    ...lines.map((l) => `stage 1 map saw ${l}`),
    ...[...counts.keys()].flatMap((l) => [`stage 1 reduce got ${l}`, `stage 2 map saw ${l}`]),
    ...[...new Set(counts.values())].map((n) => `stage 2 reduce got ${n}`),
  ].sort();
}

/** Writes `files` small inputs whose lines repeat across them (so counts differ); returns the files and every line. */
function writeRepeatingLines(dir: string, name: string, files: number): { files: string[]; lines: string[] } {
  const out: string[] = [];
  const all: string[] = [];
  for (let f = 0; f < files; f++) {
    const lines = Array.from({ length: 6 }, (_, l) => `w${(f * 7 + l * l) % 9}`);
    const file = path.join(dir, `${name}-${f}.txt`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    out.push(file);
    all.push(...lines);
  }
  return { files: out, lines: all };
}

describe('staged jobs on three workers: the workers holding stage outputs', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];

  before(async () => {
    cluster = await startCluster({ workers: 3, slots: 2 });
    client = new GrooveClient({ master: cluster.master });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 6, 3000, 3);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it('mr logs shows the lines of every stage, each task naming its stage; --task takes a stage', async () => {
    const input = writeRepeatingLines(cluster.dir, 'logs', 4);
    const id = await client.submit(LOGS_STAGES, { inputs: input.files, partitions: 3, packInputs: false });
    assert.equal((await client.wait(id)).state, 'succeeded');
    const r = await runMr(['logs', id, '--master', cluster.master]);
    assert.equal(r.code, 0, r.stderr);
    const printed = parsePrinted(r.stdout);
    // Stage by stage: stage 1's lines first.
    assert.deepEqual(
      printed.map((p) => p.stage),
      printed.map((p) => p.stage).sort(),
    );
    assert.deepEqual(printed.map((p) => p.message).sort(), expectedStageMessages(input.lines));
    for (const p of printed)
      assert.ok(p.message.startsWith(`stage ${p.stage} ${p.task.slice(0, -6)}`), JSON.stringify(p));
    // --json: the stage is in each line's task id, the same as printed.
    const json = await runMr(['logs', id, '--json', '--master', cluster.master]);
    const lines = json.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { taskId: string; message: string });
    assert.deepEqual(lines.map((l) => l.taskId).sort(), printed.map((p) => `stage${p.stage}/${p.task}`).sort());
    // A stage's task alone, and a bare task id in every stage that has it.
    const reduce = parsePrinted(
      (await runMr(['logs', id, '--task', 'stage2/reduce-00000', '--master', cluster.master])).stdout,
    );
    assert.deepEqual(
      reduce.map((p) => p.message).sort(),
      printed
        .filter((p) => p.stage === 2 && p.task === 'reduce-00000')
        .map((p) => p.message)
        .sort(),
    );
    assert.ok(reduce.length > 0);
    const bare = parsePrinted((await runMr(['logs', id, '--task', 'map-00000', '--master', cluster.master])).stdout);
    assert.deepEqual(
      bare.map((p) => `${p.stage}/${p.message}`).sort(),
      printed
        .filter((p) => p.task === 'map-00000')
        .map((p) => `${p.stage}/${p.message}`)
        .sort(),
    );
    assert.deepEqual([...new Set(bare.map((p) => p.stage))].sort(), [1, 2]);
    // A stage or task the job does not have: one line naming it.
    for (const [task, why] of [
      ['stage3/map-00000', /^mr: job \S+ has 2 stages, not 3 \(task stage3\/map-00000\)\n$/],
      [
        'stage1/map-00099',
        /^mr: job \S+ has no task stage1\/map-00099 \(stage 1's tasks are map-00000 to map-00003 and reduce-00000 to reduce-00002\)\n$/,
      ],
    ] as const) {
      const bad = await runMr(['logs', id, '--task', task, '--master', cluster.master]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, why);
    }
  });

  it('mr logs --follow goes from one stage to the next and ends with the job', async () => {
    const input = writeRepeatingLines(cluster.dir, 'follow', 2);
    const gate = path.join(cluster.dir, 'follow-gate');
    const id = await client.submit(LOGS_STAGES, {
      inputs: input.files,
      partitions: 2,
      packInputs: false,
      params: { stage1Gate: gate },
    });
    await waitUntil('a stage-1 map waits at its gate', () =>
      fs.readdirSync(cluster.dir).some((f) => f.startsWith('follow-gate.')),
    );
    const follower = spawn(process.execPath, [MR, 'logs', id, '--follow', '--master', cluster.master], {
      cwd: ROOT,
      env: mrEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    follower.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => follower.on('close', resolve));
    try {
      await waitUntil('stage 1 lines came through --follow', () => out.includes('stage 1 map saw'));
      assert.equal((await client.status(id)).stage, 1);
      fs.writeFileSync(gate, '');
      assert.equal(await exited, 0, err);
      assert.deepEqual(
        parsePrinted(out)
          .map((p) => p.message)
          .sort(),
        expectedStageMessages(input.lines),
      );
      assert.equal((await client.status(id)).state, 'succeeded');
    } finally {
      fs.writeFileSync(gate, '');
      follower.kill('SIGKILL');
    }
  });

  it("a staged job failed in stage 2 shows that stage's failed attempt's lines after its error", async () => {
    const input = writeRepeatingLines(cluster.dir, 'fails', 2);
    const r = await runMr([
      'submit',
      LOGS_STAGES,
      '--input',
      ...input.files,
      '--param',
      'failStage2=1',
      '--max-attempts',
      '1',
      '--wait',
      '--master',
      cluster.master,
    ]);
    assert.equal(r.code, 1);
    const err = r.stderr.split('\n').filter(Boolean);
    const at = err.findIndex((l) => l.startsWith('mr: job '));
    assert.match(err[at] as string, /failed: .*stage 2 fails on purpose at w\d/, r.stderr);
    const heading =
      /^mr: the last line (stage2\/map-\d{5}) attempt 0 logged \(all of them: mr logs \S+ --task (\S+)\):$/.exec(
        err[at + 1] as string,
      );
    assert.ok(heading, r.stderr);
    assert.equal(heading[2], heading[1]);
    const tail = parsePrinted(err.slice(at + 2).join('\n'));
    assert.equal(tail.length, 1);
    assert.equal(`stage${tail[0]?.stage}/${tail[0]?.task}`, heading[1]);
    assert.match(tail[0]?.message ?? '', /^stage 2 map saw w\d$/);
  });

  /** The stages' directories of the staged job `id` under each worker's data dir (`jobs/ID`, `jobs/ID.stageN`). */
  const stageDirs = (id: string): string[] =>
    cluster.workers.flatMap((w) => {
      const jobs = path.join(w.dataDir, 'jobs');
      const names = fs.existsSync(jobs) ? fs.readdirSync(jobs) : [];
      return names.filter((n) => n === id || n.startsWith(`${id}.stage`)).map((n) => `${w.id}/${n}`);
    });

  it('mr purge J removes the files of every stage on every worker', async () => {
    const id = await client.submit(GATED_STAGES, { inputs: files, partitions: 3 });
    assert.equal((await client.wait(id)).state, 'succeeded');
    const before = stageDirs(id).map((d) => d.slice(d.indexOf('/') + 1));
    assert.ok(before.includes(`${id}.stage1`), `stage 1's files are kept until the purge: ${before.join(', ')}`);
    assert.ok(before.includes(id), before.join(', '));
    const r = await runMr(['purge', id, '--master', cluster.master]);
    assert.equal(r.code, 0, r.stderr);
    await waitUntil('no worker holds a file of any stage', () => stageDirs(id).length === 0);
    await assert.rejects(client.status(id), /no such job/);
    await assert.rejects(client.status(`${id}.stage1`), /no such job/);
  });

  it('mr kill J during stage 2 deletes the files of stage 1 too', async () => {
    const gates = path.join(cluster.dir, 'kill-gates');
    fs.mkdirSync(gates);
    const gate = path.join(gates, 'gate');
    const id = await client.submit(GATED_STAGES, { inputs: files, partitions: 3, params: { stage2Gate: gate } });
    try {
      await waitUntil('a stage-2 map waits at its gate', () => readyTasks(gates, gate).length > 0, 120_000);
      assert.ok(stageDirs(id).some((d) => d.endsWith(`/${id}.stage1`)));
      const r = await runMr(['kill', id, '--master', cluster.master]);
      assert.equal(r.code, 0, r.stderr);
      await waitUntil('no worker holds a file of any stage', () => stageDirs(id).length === 0);
      assert.equal((await client.status(id)).state, 'killed');
    } finally {
      fs.writeFileSync(gate, '');
    }
  });

  // Last: it loses a worker.
  it('fails the job in one line, bounded, when a worker holding stage 1 output stage 2 needs is killed -9', async () => {
    const gates = path.join(cluster.dir, 'gates');
    fs.mkdirSync(gates);
    const gate = path.join(gates, 'stage2-gate');
    const ready = path.join(gates, 'stage2-ready');
    const id = await client.submit(GATED_STAGES, {
      inputs: files,
      partitions: 6,
      params: { stage2Gate: gate, stage2Ready: ready },
    });
    try {
      // A stage-2 map at its gate: stage 1 ended, and no stage-2 map can commit until the gate opens.
      await waitUntil('a stage-2 map waits at its gate', () => readyTasks(gates, ready).length > 0, 120_000);
      const status = await client.status(id);
      assert.equal(status.stage, 2);
      assert.equal(status.state, 'running');
      assert.equal(status.mapsDone, 0, 'no stage-2 map committed: each still needs its stage-1 partition');
      const parts = await client.resultParts(`${id}.stage1`);
      assert.equal(parts.length, 6);
      const victim = cluster.workers.find((w) => parts.some((p) => p.workerId === w.id));
      assert.ok(victim, 'some worker holds a stage-1 partition');
      const held = parts.filter((p) => p.workerId === victim.id).map((p) => p.partition);
      const killedAt = Date.now();
      victim.daemon.process.kill('SIGKILL');
      await waitUntil(
        'the staged job failed',
        async () => (await client.status(id)).state === 'failed',
        FAIL_WITHIN_MS,
      );
      const tookMs = Date.now() - killedAt;
      assert.ok(tookMs < FAIL_WITHIN_MS, `failed ${tookMs} ms after the kill`);
      const failed = await client.status(id);
      assert.equal(failed.stage, 2, 'it failed in stage 2: stage 1 was not run again');
      const m = new RegExp(
        `^stage 1's output partition (\\d+) was lost with worker ${victim.id} during stage 2; ` +
          'a lost stage output is not computed again: run the job again$',
      ).exec(failed.error);
      assert.ok(m, failed.error);
      assert.ok(held.includes(Number(m[1])), `partition ${m[1]} is one the victim held (${held.join(', ')})`);
      // The CLI says it in one line, under the job's own id.
      const waited = await runMr(['wait', id, '--master', cluster.master]);
      assert.notEqual(waited.code, 0);
      const errors = waited.stderr.split('\n').filter((l) => l.startsWith('mr: '));
      assert.equal(errors.length, 1, waited.stderr);
      assert.ok(errors[0]?.includes(failed.error), waited.stderr);
      assert.doesNotMatch(waited.stderr, /^\s+at /m, 'no stack trace');
    } finally {
      fs.writeFileSync(gate, '');
    }
  });
});
