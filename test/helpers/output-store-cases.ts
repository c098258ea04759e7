import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { runMr } from './cli.js';
import type { MrResult } from './cli.js';
import { childPids, startCluster, waitUntil } from './cluster.js';
import type { TestCluster } from './cluster.js';
import { writeCorpus } from './corpus.js';
import type { OutputStoreUnderTest } from './output-stores.js';
import { referenceWordCount } from './reference.js';

const PARTS_3 = ['_SUCCESS', 'part-00000', 'part-00001', 'part-00002'];

/** word -> count of text result lines. */
function textCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of text.split('\n').filter(Boolean))
    out.set(l.slice(0, l.lastIndexOf('\t')), Number(l.slice(l.lastIndexOf('\t') + 1)));
  return out;
}

/** word -> count of jsonl result lines. */
function jsonlCounts(text: string): Map<string, number> {
  return new Map(
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as [string, number]),
  );
}

function jobIdOf(r: MrResult): string {
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n')[0] as string;
}

function oneLineError(r: MrResult, pattern: RegExp): void {
  assert.notEqual(r.code, 0, r.stdout);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

/** True when the process with this pid is gone. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** What every case of one store gets: the store, a running cluster, a corpus and its word counts. */
interface Ctx {
  readonly dir: string;
  readonly store: OutputStoreUnderTest;
  readonly cluster: TestCluster;
  readonly client: GrooveClient;
  readonly corpus: string;
  readonly reference: Map<string, number>;
  mr(args: readonly string[], extra?: readonly string[]): Promise<MrResult>;
  submit(job: string, out: string, extra?: readonly string[], partitions?: string): Promise<MrResult>;
  /** Every part's bytes as read back independently, in partition order. */
  storedParts(prefix: string, n?: number): Promise<Buffer[]>;
}

/** `mr submit --output`: part-NNNNN holds exactly what mr results prints, _SUCCESS, nothing else; mr status names it. */
async function plainCase(t: Ctx): Promise<void> {
  const { store, cluster, reference, mr, submit, storedParts } = t;
  const prefix = store.prefix('plain');
  const id = jobIdOf(await submit('jobs/wordcount.ts', prefix, ['--wait']));
  assert.deepEqual(await store.list(prefix), PARTS_3);
  const parts = await storedParts(prefix);
  const results = await mr(['results', id, '--master', cluster.master]);
  assert.equal(results.code, 0, results.stderr);
  assert.equal(results.stdout, Buffer.concat(parts).toString());
  assert.deepEqual(textCounts(results.stdout), reference);
  const status = await mr(['status', id, '--master', cluster.master]);
  assert.match(status.stdout, new RegExp(`^output +${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(text\\)$`, 'm'));
  // Text cannot become jsonl: one line, before anything is printed.
  const asJsonl = await mr(['results', id, '--master', cluster.master, '--format', 'jsonl']);
  oneLineError(asJsonl, /stored as text/);
  assert.equal(asJsonl.stdout, '');
}

/** --format jsonl: stored as jsonl, printed as jsonl as it is and as text converted. */
async function jsonlCase(t: Ctx): Promise<void> {
  const { store, cluster, reference, mr, submit, storedParts } = t;
  const prefix = store.prefix('jsonl');
  const id = jobIdOf(await submit('jobs/wordcount.ts', prefix, ['--wait', '--format', 'jsonl']));
  const parts = await storedParts(prefix);
  const jsonl = await mr(['results', id, '--master', cluster.master, '--format', 'jsonl']);
  assert.equal(jsonl.stdout, Buffer.concat(parts).toString());
  assert.deepEqual(jsonlCounts(jsonl.stdout), reference);
  const text = await mr(['results', id, '--master', cluster.master]);
  assert.equal(text.code, 0, text.stderr);
  assert.deepEqual(textCounts(text.stdout), reference);
}

/** A prefix holding results is refused at submit unless --overwrite, which removes the old parts not rewritten. */
async function overwriteCase(t: Ctx): Promise<void> {
  const { store, client, reference, submit, storedParts } = t;
  const prefix = store.prefix('again');
  jobIdOf(await submit('jobs/wordcount.ts', prefix, ['--wait']));
  const refused = await submit('jobs/wordcount.ts', prefix);
  oneLineError(refused, /already holds results .*--overwrite/);
  assert.ok(refused.stderr.includes(prefix), refused.stderr);
  const args = ['--wait', '--overwrite', '--format', 'jsonl'];
  const id = jobIdOf(await submit('jobs/wordcount.ts', prefix, args, '2'));
  assert.deepEqual(await store.list(prefix), ['_SUCCESS', 'part-00000', 'part-00001']);
  assert.deepEqual(jsonlCounts(Buffer.concat(await storedParts(prefix, 2)).toString()), reference);
  assert.equal((await client.status(id)).state, 'succeeded');
}

/** Reducers killed mid-write: nothing at the prefix until the end, then exactly one copy of each partition. */
async function killedReducersCase(t: Ctx): Promise<void> {
  const { store, client, dir, reference, submit, storedParts } = t;
  const prefix = store.prefix('killed');
  const gate = path.join(dir, 'gate-killed');
  const params = ['--param', `reduceGate=${gate}`, '--param', 'gateAfterKeys=200'];
  const id = jobIdOf(await submit('dist/test/fixtures/gated-reduce.js', prefix, params));
  const ready = (t: string): string => `${gate}.reduce-0000${t}`;
  await waitUntil('every reducer is mid-write', () => ['0', '1', '2'].every((t) => fs.existsSync(ready(t))), 60_000);
  const during = await store.list(prefix);
  assert.ok(!during.includes('_SUCCESS') && !during.some((n) => n.startsWith('part-')), during.join(' '));
  // Two of the three die mid-write; the third goes on when the gate opens.
  for (const t of ['0', '2']) process.kill(Number(fs.readFileSync(ready(t), 'utf8')), 'SIGKILL');
  fs.writeFileSync(gate, '');
  const done = await client.wait(id);
  assert.ok(done.failedAttempts >= 2, `the killed attempts counted: ${done.failedAttempts}`);
  assert.deepEqual(await store.list(prefix), PARTS_3);
  assert.deepEqual(textCounts(Buffer.concat(await storedParts(prefix)).toString()), reference);
}

/** A worker lost while its reducer writes: the orphaned attempt commits nothing, one copy of each partition. */
async function lostWorkerCase(t: Ctx): Promise<void> {
  const { store, cluster, client, dir, reference, submit, storedParts } = t;
  const prefix = store.prefix('lost');
  const gate = path.join(dir, 'gate-lost');
  const params = ['--param', `reduceGate=${gate}`, '--param', 'gated=reduce-00001', '--param', 'gateAfterKeys=100'];
  const id = jobIdOf(await submit('dist/test/fixtures/gated-reduce.js', prefix, params));
  const ready = `${gate}.reduce-00001`;
  await waitUntil('reduce-00001 is mid-write', () => fs.existsSync(ready), 60_000);
  const pid = Number(fs.readFileSync(ready, 'utf8'));
  const victim = cluster.workers.find((w) => childPids(w.daemon.process.pid as number).includes(pid));
  assert.ok(victim, 'the worker running reduce-00001');
  victim.daemon.process.kill('SIGKILL');
  await waitUntil('the master lost the worker', async () =>
    (await client.workers()).some((w) => w.workerId === victim.id && w.state === 'lost'),
  );
  // The retry of reduce-00001 runs straight through; once the job committed and cleaned up,
  // the orphaned pool process wakes: nothing would remove an object it committed now.
  await client.wait(id);
  assert.deepEqual(await store.list(prefix), PARTS_3);
  assert.ok(!gone(pid), 'the orphaned pool process is still there, at the gate');
  fs.writeFileSync(gate, '');
  await waitUntil('the orphaned pool process ended', () => gone(pid));
  assert.deepEqual(await store.list(prefix), PARTS_3);
  assert.deepEqual(textCounts(Buffer.concat(await storedParts(prefix)).toString()), reference);
  cluster.workers.splice(cluster.workers.indexOf(victim), 1);
  await cluster.addWorker();
}

/** A failed job leaves no _SUCCESS, no part file and no temporary object. */
async function failedJobCase(t: Ctx): Promise<void> {
  const { store, cluster, dir, mr } = t;
  const prefix = store.prefix('failed');
  const input = path.join(dir, 'boom.txt');
  fs.writeFileSync(input, 'a\nboom\nb\n');
  const r = await mr([
    'submit',
    'dist/test/fixtures/throws-in-reduce.js',
    '--master',
    cluster.master,
    '--input',
    input,
    '--output',
    prefix,
    '--max-attempts',
    '1',
    '--wait',
  ]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /reduce refused key boom/);
  // The clean-up runs as the job ends: wait for it, then nothing may be left.
  await waitUntil('the temporary objects are gone', async () => (await store.list(prefix)).length === 0);
  assert.deepEqual(await store.list(prefix), []);
}

/** A killed job leaves nothing at the prefix. */
async function killedJobCase(t: Ctx): Promise<void> {
  const { store, cluster, dir, mr, submit } = t;
  const prefix = store.prefix('killed-job');
  const gate = path.join(dir, 'gate-kill');
  const id = jobIdOf(await submit('dist/test/fixtures/gated-reduce.js', prefix, ['--param', `reduceGate=${gate}`]));
  await waitUntil('every reducer is mid-write', () => fs.existsSync(`${gate}.reduce-00000`), 60_000);
  const killed = await mr(['kill', id, '--master', cluster.master]);
  assert.equal(killed.code, 0, killed.stderr);
  fs.writeFileSync(gate, '');
  await waitUntil('the temporary objects are gone', async () => (await store.list(prefix)).length === 0);
}

/** `mr run --output URL` commits the same way. */
async function runCase(t: Ctx): Promise<void> {
  const { store, corpus, reference, mr, storedParts } = t;
  const prefix = store.prefix('run');
  const r = await mr(['run', 'jobs/wordcount.ts', '--input', corpus, '--partitions', '3', '--output', prefix]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(await store.list(prefix), PARTS_3);
  assert.deepEqual(textCounts(Buffer.concat(await storedParts(prefix)).toString()), reference);
}

const CASES: readonly (readonly [string, (t: Ctx) => Promise<void>])[] = [
  [
    'mr submit --output: part-NNNNN holds exactly what mr results prints, _SUCCESS, nothing else; mr status names it',
    plainCase,
  ],
  ['--format jsonl: stored as jsonl, printed as jsonl as it is and as text converted', jsonlCase],
  [
    'a prefix holding results is refused at submit unless --overwrite, which removes the old parts not rewritten',
    overwriteCase,
  ],
  [
    'reducers killed mid-write: nothing at the prefix until the end, then exactly one copy of each partition',
    killedReducersCase,
  ],
  [
    'a worker lost while its reducer writes: the orphaned attempt commits nothing, one copy of each partition',
    lostWorkerCase,
  ],
  ['a failed job leaves no _SUCCESS, no part file and no temporary object', failedJobCase],
  ['a killed job leaves nothing at the prefix', killedJobCase],
  ['mr run --output URL commits the same way', runCase],
];

/**
 * The output-store cases, against one store: results committed to it by the protocol of
 * master/output-committer.ts, read back independently, and what failures leave there.
 * `makeStore` gets a fresh temporary directory of the test's (a local store's root; others
 * may ignore it).
 */
export function outputStoreCases(
  name: string,
  makeStore: (dir: string) => OutputStoreUnderTest,
  /** Run only the cases at these indices of the table (a backend that needs no whole matrix); default all. */
  only?: readonly number[],
): void {
  const cases = only ? CASES.filter((_, i) => only.includes(i)) : CASES;
  describe(`results committed to an output store (${name})`, () => {
    let t: Ctx;
    before(async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-output-store-'));
      const store = makeStore(path.join(dir, 'store'));
      const corpus = path.join(dir, 'corpus');
      const reference = referenceWordCount(writeCorpus(corpus, 4, 4000, 23));
      const cluster = await startCluster({ workers: 3, env: store.env, masterArgs: ['--worker-timeout', '3'] });
      const client = new GrooveClient({ master: cluster.master });
      const mr = (args: readonly string[], extra: readonly string[] = []): Promise<MrResult> =>
        runMr([...args, ...extra], { env: store.env, timeoutMs: 180_000 });
      t = {
        dir,
        store,
        cluster,
        client,
        corpus,
        reference,
        mr,
        submit: (job, out, extra = [], partitions = '3') =>
          mr(
            ['submit', job, '--master', cluster.master, '--input', corpus, '--partitions', partitions, '--output', out],
            extra,
          ),
        storedParts: (prefix, n = 3) =>
          Promise.all(Array.from({ length: n }, (_, p) => store.read(`${prefix}part-${String(p).padStart(5, '0')}`))),
      };
    });
    after(async () => {
      t?.client.close();
      await t?.cluster.stop();
      if (t) fs.rmSync(t.dir, { recursive: true, force: true });
    });
    for (const [title, run] of cases) it(title, () => run(t));
  });
  if (only) return;
  describe(`results in an output store outlive the workers (${name})`, () => {
    it('mr results and the SDK read the store once every worker is gone', () => outliveCase(makeStore));
  });
}

/** A job's results in the store, read after every worker was killed. */
async function outliveCase(makeStore: (dir: string) => OutputStoreUnderTest): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-output-store-gone-'));
  const store = makeStore(path.join(dir, 'store'));
  const corpus = path.join(dir, 'corpus');
  const reference = referenceWordCount(writeCorpus(corpus, 3, 3000, 5));
  const cluster = await startCluster({ workers: 2, env: store.env, masterArgs: ['--worker-timeout', '3'] });
  const client = new GrooveClient({ master: cluster.master });
  try {
    const prefix = store.prefix('gone');
    const args = ['submit', 'jobs/wordcount.ts', '--master', cluster.master, '--input', corpus, '--output', prefix];
    const r = await runMr([...args, '--partitions', '3', '--format', 'jsonl', '--wait'], { env: store.env });
    const id = jobIdOf(r);
    for (const w of cluster.workers) w.daemon.process.kill('SIGKILL');
    await waitUntil('every worker is lost', async () => (await client.workers()).every((w) => w.state === 'lost'));
    const results = await runMr(['results', id, '--master', cluster.master, '--format', 'jsonl'], {
      env: store.env,
    });
    assert.equal(results.code, 0, results.stderr);
    const parts = await Promise.all([0, 1, 2].map((p) => store.read(`${prefix}part-0000${p}`)));
    assert.equal(results.stdout, Buffer.concat(parts).toString());
    // The SDK in this process reads the store with this process's backends: a local one here.
    if (store.inProcess) {
      const records = new Map<string, number>();
      for await (const [k, v] of client.results(id)) records.set(k as string, v as number);
      assert.deepEqual(records, reference);
    }
    assert.deepEqual(jsonlCounts(results.stdout), reference);
  } finally {
    client.close();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
