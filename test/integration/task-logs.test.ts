import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { MR, mrEnv, ROOT, runMr } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'logs-lines.ts');

/** One printed line of `mr logs`: TIME TASK aN LEVEL MESSAGE. */
interface Printed {
  readonly task: string;
  readonly attempt: number;
  readonly level: string;
  readonly message: string;
}

function parsePrinted(stdout: string): Printed[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^\d{4}-\d\d-\d\dT\S+Z ((?:map|reduce)-\d{5}) a(\d+) (info|warn) (.*)$/.exec(l);
      assert.ok(m, `not a log line: ${l}`);
      return { task: m[1] as string, attempt: Number(m[2]), level: m[3] as string, message: m[4] as string };
    });
}

/** The lines the fixture logs for these input lines, computed here: map's two per record, reduce's one per key. */
function expectedMessages(lines: readonly string[]): string[] {
  const out = lines.flatMap((l) => [`map saw ${l}`, `console saw ${l}`]);
  for (const key of new Set(lines)) out.push(`reduce got ${key}`);
  return out.sort();
}

describe('task logs on a three-worker cluster', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  const files: { file: string; lines: string[] }[] = [];
  let jobId = '';
  const auth = (): string[] => ['--master', cluster.master, '--token-file', cluster.tokenFile as string];

  before(async () => {
    cluster = await startCluster({ workers: 3, token: true });
    client = new GrooveClient({ master: cluster.master, security: cluster.security });
    for (let f = 0; f < 6; f++) {
      const lines = [0, 1, 2].map((l) => `f${f}-l${l}`);
      const file = path.join(cluster.dir, `in-${f}.txt`);
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      files.push({ file, lines });
    }
    const r = await runMr([
      'submit',
      FIXTURE,
      '--input',
      ...files.map((f) => f.file),
      '--no-pack-inputs',
      '--wait',
      ...auth(),
    ]);
    assert.equal(r.code, 0, r.stderr);
    jobId = r.stdout.split('\n')[0] as string;
  });
  after(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('mr logs shows every line job code logged, each with its task and attempt', async () => {
    const r = await runMr(['logs', jobId, ...auth()]);
    assert.equal(r.code, 0, r.stderr);
    const printed = parsePrinted(r.stdout);
    assert.deepEqual(printed.map((p) => p.message).sort(), expectedMessages(files.flatMap((f) => f.lines)));
    // Every line of one input file came from the one map task that read it; reduce lines from reduces.
    for (const { lines } of files) {
      const tasks = new Set(
        printed
          .filter((p) => lines.some((l) => p.message.endsWith(` ${l}`) && !p.message.startsWith('reduce')))
          .map((p) => p.task),
      );
      assert.equal(tasks.size, 1, `${lines[0]} logged by ${[...tasks].join(', ')}`);
      assert.match([...tasks][0] as string, /^map-/);
    }
    for (const p of printed) {
      assert.equal(p.level, p.message.startsWith('reduce got') ? 'warn' : 'info', JSON.stringify(p));
      if (p.message.startsWith('reduce got')) assert.match(p.task, /^reduce-/);
    }
  });

  it('--task shows one task only, --json carries the worker, and the worker keeps the lines on disk', async () => {
    const all = await runMr(['logs', jobId, '--json', ...auth()]);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { taskId: string; attempt: number; workerId: string; message: string });
    const workers = new Set(lines.map((l) => l.workerId));
    assert.ok(workers.size >= 2, `the job's lines came from ${[...workers].join(', ')}`);
    for (const w of workers)
      assert.ok(
        cluster.workers.some((t) => t.id === w),
        `unknown worker ${w}`,
      );
    const first = lines[0];
    assert.ok(first);
    const one = await runMr(['logs', jobId, '--task', first.taskId, ...auth()]);
    assert.equal(one.code, 0, one.stderr);
    const printed = parsePrinted(one.stdout);
    assert.deepEqual(
      printed.map((p) => p.message).sort(),
      lines
        .filter((l) => l.taskId === first.taskId)
        .map((l) => l.message)
        .sort(),
    );
    assert.ok(printed.every((p) => p.task === first.taskId));
    // On the worker that ran it: one JSON line {time, level, message} per line, in order.
    const holder = cluster.workers.find((w) => w.id === first.workerId);
    assert.ok(holder);
    const file = path.join(holder.dataDir, 'jobs', jobId, 'logs', `${first.taskId}-a${first.attempt}.jsonl`);
    const stored = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { time: number; level: string; message: string });
    assert.deepEqual(
      stored.map((s) => s.message),
      lines.filter((l) => l.taskId === first.taskId && l.attempt === first.attempt).map((l) => l.message),
    );
    assert.ok(stored.every((s) => typeof s.time === 'number' && (s.level === 'info' || s.level === 'warn')));
  });

  it('refuses a task the job does not have, in one line', async () => {
    const r = await runMr(['logs', jobId, '--task', 'map-00099', ...auth()]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^mr: job \S+ has no task map-00099 \(its tasks are map-00000 to map-00005 and reduce-00000 to reduce-00001\)\n$/,
    );
  });

  it('--follow streams the lines of a running job and ends when the job does', async () => {
    const gate = path.join(cluster.dir, 'follow-gate');
    const input = path.join(cluster.dir, 'follow.txt');
    const lines = ['a', 'b', 'c'];
    fs.writeFileSync(input, `${lines.join('\n')}\n`);
    const submitted = await runMr(['submit', FIXTURE, '--input', input, '--param', `gate=${gate}`, ...auth()]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = submitted.stdout.trim();
    const follower = spawn(process.execPath, [MR, 'logs', id, '--follow', ...auth()], {
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
      // The map waits at the gate after its first record's lines: they come while it runs.
      await waitUntil('the first lines came through --follow', () => out.includes('console saw a'));
      assert.equal((await client.status(id)).state, 'running');
      assert.ok(!out.includes('reduce got'));
      fs.writeFileSync(gate, '');
      const code = await exited;
      assert.equal(code, 0, err);
      assert.deepEqual(
        parsePrinted(out)
          .map((p) => p.message)
          .sort(),
        expectedMessages(lines),
      );
      assert.equal((await client.status(id)).state, 'succeeded');
    } finally {
      follower.kill('SIGKILL');
    }
  });

  it("a failed mr submit --wait shows the failed attempt's last lines after its error", async () => {
    const input = path.join(cluster.dir, 'fails.txt');
    const lines = Array.from({ length: 25 }, (_, i) => `ok ${i}`).concat(['fail now']);
    fs.writeFileSync(input, `${lines.join('\n')}\n`);
    const r = await runMr(['submit', FIXTURE, '--input', input, '--wait', '--max-attempts', '2', ...auth()]);
    assert.equal(r.code, 1);
    const err = r.stderr.split('\n').filter(Boolean);
    const at = err.findIndex((l) => l.startsWith('mr: job '));
    assert.ok(at >= 0, r.stderr);
    assert.match(err[at] as string, /failed: .*failing on purpose at fail now/);
    assert.match(
      err[at + 1] as string,
      /^mr: the last 20 lines map-00000 attempt 1 logged \(all of them: mr logs \S+ --task map-00000\):$/,
    );
    const tail = parsePrinted(err.slice(at + 2).join('\n'));
    const expected = lines.flatMap((l) => [`map saw ${l}`, `console saw ${l}`]).slice(-20);
    assert.deepEqual(
      tail.map((t) => t.message),
      expected,
    );
    assert.ok(tail.every((t) => t.task === 'map-00000' && t.attempt === 1));
  });

  it("says in one line that a lost worker's logs are gone, and shows the rest", async () => {
    const all: { workerId: string; message: string }[] = [];
    for await (const l of client.taskLogs(jobId)) all.push(l);
    const victim = cluster.workers.find((w) => w.id === all[0]?.workerId);
    assert.ok(victim);
    const exited = new Promise((resolve) => victim.daemon.process.once('exit', resolve));
    victim.daemon.process.kill('SIGKILL');
    await exited;
    await waitUntil('the master lost the worker', async () =>
      (await client.workers()).some((w) => w.workerId === victim.id && w.state === 'lost'),
    );
    const r = await runMr(['logs', jobId, ...auth()], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const gone = r.stderr.split('\n').filter(Boolean);
    assert.equal(gone.length, 1, r.stderr);
    assert.match(gone[0] as string, new RegExp(`^mr: the logs of .+ were on worker ${victim.id}, which is lost$`));
    assert.deepEqual(
      parsePrinted(r.stdout)
        .map((p) => p.message)
        .sort(),
      all
        .filter((l) => l.workerId !== victim.id)
        .map((l) => l.message)
        .sort(),
    );
  });
});

describe('task logs under mr run', () => {
  let dir = '';
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-run-logs-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sends job code lines to stderr, tagged with their task, never into the results', async () => {
    const input = path.join(dir, 'in.txt');
    const lines = ['b', 'a', 'b', 'c'];
    fs.writeFileSync(input, `${lines.join('\n')}\n`);
    const r = await runMr(['run', FIXTURE, '--input', input, '--partitions', '1']);
    assert.equal(r.code, 0, r.stderr);
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
    const expected = [...counts].sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, n]) => `${k}\t${n}\n`);
    assert.equal(r.stdout, expected.join(''));
    for (const message of expectedMessages(lines)) {
      const task = message.startsWith('reduce') ? 'reduce-00000' : 'map-00000';
      assert.ok(r.stderr.includes(`] ${message} {`), `stderr lacks ${message}:\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`\\] ${message} \\{[^}]*"task":"${task}","attempt":0\\}`));
    }
  });

  it("shows the failed attempt's last lines after the one-line error", async () => {
    const input = path.join(dir, 'fails.txt');
    const lines = ['one', 'two', 'fail three'];
    fs.writeFileSync(input, `${lines.join('\n')}\n`);
    const r = await runMr(['run', FIXTURE, '--input', input, '--max-attempts', '1'], { env: { GROOVE_LOG: 'error' } });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const err = r.stderr.split('\n').filter(Boolean);
    assert.match(err[0] as string, /^mr: job \S+ failed: .*failing on purpose at fail three/);
    assert.equal(err[1], 'mr: the last 6 lines map-00000 attempt 0 logged:');
    assert.deepEqual(
      parsePrinted(err.slice(2).join('\n')).map((p) => p.message),
      lines.flatMap((l) => [`map saw ${l}`, `console saw ${l}`]),
    );
    assert.equal(err.length, 2 + 6);
  });
});

describe('daemon logs as JSON', () => {
  it('GROOVE_LOG_FORMAT=json: every line of the master and a worker is a JSON object with its component and ids', async () => {
    const cluster = await startCluster({ workers: 1, env: { GROOVE_LOG_FORMAT: 'json', GROOVE_LOG: 'debug' } });
    try {
      const input = path.join(cluster.dir, 'in.txt');
      fs.writeFileSync(input, 'x\nfail y\n');
      const r = await runMr([
        'submit',
        FIXTURE,
        '--input',
        input,
        '--wait',
        '--max-attempts',
        '1',
        '--master',
        cluster.master,
      ]);
      assert.equal(r.code, 1, r.stderr);
      const id = r.stdout.split('\n')[0] as string;
      const worker = cluster.workers[0];
      assert.ok(worker);
      const parse = (log: string): Record<string, unknown>[] =>
        log
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const workerLines = parse(worker.daemon.log());
      const masterLines = parse(cluster.masterDaemon.log());
      for (const l of [...workerLines, ...masterLines]) {
        assert.equal(typeof l['timestamp'], 'string', JSON.stringify(l));
        assert.ok(['error', 'warn', 'info', 'debug'].includes(l['level'] as string), JSON.stringify(l));
        assert.equal(typeof l['component'], 'string', JSON.stringify(l));
        assert.equal(typeof l['message'], 'string', JSON.stringify(l));
      }
      // Every worker line names the worker; the lines about the task name its job, task and attempt.
      for (const l of workerLines) assert.equal(l['worker'], worker.id, JSON.stringify(l));
      const failed = workerLines.find((l) => l['message'] === 'task failed');
      assert.ok(failed, worker.daemon.log());
      assert.deepEqual([failed['job'], failed['task'], failed['attempt']], [id, 'map-00000', 0]);
      const jobLine = workerLines.find((l) => l['component'] === 'job' && l['message'] === 'console saw fail y');
      assert.ok(jobLine, worker.daemon.log());
      assert.deepEqual([jobLine['job'], jobLine['task'], jobLine['attempt']], [id, 'map-00000', 0]);
      const masterFailed = masterLines.find((l) => l['message'] === 'attempt failed');
      assert.ok(masterFailed, cluster.masterDaemon.log());
      assert.deepEqual(
        [masterFailed['job'], masterFailed['task'], masterFailed['worker']],
        [id, 'map-00000', worker.id],
      );
    } finally {
      await cluster.stop();
    }
  });

  it('refuses a GROOVE_LOG_FORMAT it does not know, in one line', async () => {
    const r = await runMr(['jobs'], { env: { GROOVE_LOG_FORMAT: 'xml' } });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'mr: GROOVE_LOG_FORMAT must be human or json, got "xml"\n');
  });
});
