import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import type { Key } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import type { MrResult } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { boto, startS3Store } from '../helpers/s3-store.js';
import type { S3Store } from '../helpers/s3-store.js';

const GREP = 'test/fixtures/grep-map-only.ts';
const PATTERN = 'kalo|zuzu|ERROR';

/** What the map-only grep must give, in input order: `grep -h` over each file, paired with the file. */
function grepReference(files: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const f of files) {
    let text = '';
    try {
      text = execFileSync('grep', ['-h', '-E', PATTERN, f], { encoding: 'utf8' });
    } catch (err) {
      // grep exits 1 when a file has no match.
      if ((err as { status?: number }).status !== 1) throw err;
    }
    // Groove's lines lose their line end, `\r\n` included.
    for (const line of text.split('\n').slice(0, -1)) out.push([line.replace(/\r$/, ''), f]);
  }
  return out;
}

/** The records of `--format jsonl` output, in order. */
function jsonlRecords(stdout: string): [Key, unknown][] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as [Key, unknown]);
}

/** The part-NNNNN files of a results directory, in name order. */
function partFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => /^part-\d{5}$/.test(n))
    .sort();
}

function assertOneLineError(r: MrResult, pattern: RegExp): void {
  assert.notEqual(r.code, 0, `expected failure, got exit 0; stdout: ${r.stdout.slice(0, 200)}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] as string, pattern);
}

describe('map-only jobs', () => {
  let dir: string;
  let files: string[];
  let expected: [string, string][];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-map-only-'));
    files = writeCorpus(path.join(dir, 'corpus'), 4, 6000, 5);
    expected = grepReference(files);
    assert.ok(expected.length > 50, `the pattern matches too little: ${expected.length}`);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('mr run (reduce: false): the matching lines in input order, as grep prints them', async () => {
    const r = await runMr([
      'run',
      GREP,
      '--input',
      ...files,
      '--chunk-size',
      '4KiB',
      '--param',
      `pattern=${PATTERN}`,
      '--format',
      'jsonl',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(jsonlRecords(r.stdout), expected);
  });

  it('mr run --output DIR (partitions: 0): records in emit order, typed, one part file per map', async () => {
    const input = path.join(dir, 'numbers.txt');
    // Not sorted, so an order kept is not an order made by a sort.
    const numbers = Array.from({ length: 3000 }, (_, i) => (i * 7919) % 3001);
    fs.writeFileSync(input, numbers.map((n) => `${n}\n`).join(''));
    const out = path.join(dir, 'numbers-out');
    const r = await runMr([
      'run',
      'test/fixtures/map-only-numbers.ts',
      '--input',
      input,
      '--chunk-size',
      '4KiB',
      '--output',
      out,
      '--format',
      'jsonl',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const parts = partFiles(out);
    // 3000 lines of up to 5 bytes in 4 KiB chunks: several maps, each a part.
    assert.ok(parts.length >= Math.floor(fs.statSync(input).size / 4096), `parts: ${parts.join(' ')}`);
    const records = parts.flatMap((p) => jsonlRecords(fs.readFileSync(path.join(out, p), 'utf8')));
    assert.deepEqual(
      records,
      numbers.map((n) => [n, n * n]),
    );
  });

  it('refuses a combiner or --partitions with a map-only job, in one line', async () => {
    const bad = path.join(dir, 'combine-map-only.ts');
    fs.writeFileSync(bad, 'export default { reduce: false, map() {}, combine: (a: number, b: number) => a + b };\n');
    assertOneLineError(
      await runMr(['run', bad, '--input', files[0] as string]),
      /combine cannot be used in a map-only job \(reduce: false\)/,
    );
    assertOneLineError(
      await runMr(['run', GREP, '--input', files[0] as string, '--partitions', '3', '--param', 'pattern=x']),
      /partitions: the job is map-only/,
    );
  });

  describe('on three workers', () => {
    let cluster: TestCluster;
    let client: GrooveClient;
    let id: string;
    let mapsTotal: number;

    before(async () => {
      cluster = await startCluster({ workers: 3, slots: 2 });
      client = new GrooveClient({ master: cluster.master });
      id = await client.submit(GREP, {
        inputs: files,
        chunkSize: 8 * 1024,
        params: { pattern: PATTERN, tally: '1' },
      });
      const status = await client.wait(id);
      mapsTotal = status.mapsTotal;
      assert.equal(status.mapOnly, true);
      assert.equal(status.reducesTotal, 0);
      assert.ok(mapsTotal > files.length, `expected chunks, got ${mapsTotal} maps`);
    });
    after(async () => {
      client.close();
      await cluster.stop();
    });

    it('mr status shows no reduce phase', async () => {
      const r = await runMr(['status', id, '--master', cluster.master]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^reduces +none \(map-only job: no reduce phase\)$/m);
      assert.match(r.stdout, new RegExp(`^maps +${mapsTotal}/${mapsTotal}$`, 'm'));
    });

    it('mr results --output DIR: one part per map task, in input order, each with its cleanup tally', async () => {
      const out = path.join(cluster.dir, 'grep-out');
      const r = await runMr(['results', id, '--master', cluster.master, '--output', out]);
      assert.equal(r.code, 0, r.stderr);
      const parts = partFiles(out);
      assert.equal(parts.length, mapsTotal);
      const lines: string[] = [];
      for (const p of parts) {
        const own = fs.readFileSync(path.join(out, p), 'utf8').split('\n').slice(0, -1);
        // mapCleanup's record comes after every record of its map.
        assert.equal(own.at(-1), `~matched\t${own.length - 1}`, p);
        lines.push(...own.slice(0, -1));
      }
      assert.deepEqual(
        lines,
        expected.map(([line, file]) => `${line}\t${file}`),
      );
    });

    it('chains: a job over mr://JOB reads every map part file', async () => {
      const chained = await client.submit('test/fixtures/chain-identity.ts', { inputs: [`mr://${id}`] });
      await client.wait(chained);
      const got: string[] = [];
      for await (const [k, v] of client.results(chained)) got.push(JSON.stringify([k, v]));
      const tallies = (await client.status(chained)).mapsTotal;
      assert.equal(tallies, mapsTotal, 'one chained map per part file');
      const want = expected.map((r) => JSON.stringify(r));
      assert.deepEqual(got.filter((s) => !s.startsWith('["~matched"')).sort(), want.sort());
      assert.equal(got.filter((s) => s.startsWith('["~matched"')).length, mapsTotal);
    });

    it('a restarted master still knows the part files (its journal)', async () => {
      await cluster.restartMaster();
      const again = new GrooveClient({ master: cluster.master });
      try {
        await waitUntil('every worker registered again', async () => {
          const workers = await again.workers();
          return workers.length === 3 && workers.every((w) => w.state === 'alive');
        });
        const status = await again.status(id);
        assert.equal(status.mapOnly, true);
        assert.equal(status.mapsDone, mapsTotal);
        const records: [Key, unknown][] = [];
        for await (const r of again.results(id)) records.push(r);
        assert.deepEqual(
          records.filter(([k]) => k !== '~matched'),
          expected,
        );
      } finally {
        again.close();
      }
    });
  });

  it('runs a map again when its part file is lost with its worker before the job ends', async () => {
    const cluster = await startCluster({ workers: 3, slots: 1 });
    const client = new GrooveClient({ master: cluster.master });
    try {
      const input = files[1] as string;
      const gate = path.join(cluster.dir, 'gate');
      const id = await client.submit('test/fixtures/gated-map-only.ts', {
        inputs: [input],
        chunkSize: 4096,
        params: { gate },
        speculation: false,
      });
      // The worker map-00000's part file is on, once it is committed (the other maps wait at the gate).
      let holder = '';
      for await (const e of client.watch(id)) {
        const m = /^map-00000 attempt \d+ on (\S+) \(/.exec(e.message);
        if (e.type === 'task-succeeded' && m) {
          holder = m[1] as string;
          break;
        }
      }
      const worker = cluster.workers.find((w) => w.id === holder);
      assert.ok(worker, `no worker ${holder}`);
      const exited = new Promise((resolve) => worker.daemon.process.once('exit', resolve));
      worker.daemon.process.kill('SIGKILL');
      await exited;
      await waitUntil('the master saw the worker go', async () =>
        (await client.workers()).some((w) => w.workerId === holder && w.state === 'lost'),
      );
      fs.writeFileSync(gate, '');
      const status = await client.wait(id);
      assert.equal(status.state, 'succeeded', status.error);
      const events: string[] = [];
      for await (const e of client.watch(id)) events.push(`${e.type} ${e.message}`);
      assert.ok(
        events.some((e) => e.startsWith('output-lost map-00000:')),
        events.join('\n'),
      );
      const records: [Key, unknown][] = [];
      for await (const r of client.results(id)) records.push(r);
      const lines = fs.readFileSync(input, 'utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      assert.deepEqual(
        records,
        lines.map((l) => [l.replace(/\r$/, ''), input]),
      );
    } finally {
      client.close();
      await cluster.stop();
    }
  });

  describe('with an s3 output', () => {
    const BUCKET = 'groove-map-only';
    let store: S3Store;
    before(async () => {
      store = await startS3Store();
      await boto(store, 'createBucket', { bucket: BUCKET });
    });
    after(async () => {
      await store.stop();
    });

    it('mr run --output s3://: part files in input order, then _SUCCESS', async () => {
      const r = await runMr(
        [
          'run',
          GREP,
          '--input',
          ...files,
          '--chunk-size',
          '8KiB',
          '--param',
          `pattern=${PATTERN}`,
          '--output',
          `s3://${BUCKET}/grep/`,
        ],
        { env: store.env, timeoutMs: 180_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      const keys = (await boto(store, 'list', { bucket: BUCKET, prefix: 'grep/' })).map((o) => o.key).sort();
      assert.ok(keys.includes('grep/_SUCCESS'), keys.join(' '));
      const parts = keys.filter((k) => /^grep\/part-\d{5}$/.test(k));
      assert.ok(parts.length > files.length, keys.join(' '));
      let text = '';
      for (const k of parts) text += (await boto(store, 'get', { bucket: BUCKET, key: k })).toString('utf8');
      assert.equal(text, expected.map(([line, file]) => `${line}\t${file}\n`).join(''));
    });
  });
});
