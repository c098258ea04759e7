import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient, packJobFile } from '../../sdk/index.js';
import { ROOT, runMr } from '../helpers/cli.js';
import type { MrResult } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { collectResults } from '../helpers/job-output.js';
import { mulberry32 } from '../helpers/corpus.js';

const FIXTURE_DIR = path.join(ROOT, 'test', 'fixtures', 'pack-files');
const JOB = 'country-words.ts';
const DATA_FILES = ['countries.csv', 'stop.txt', 'salt.dat'];

/** A user's mistake ends with one line on stderr and no stack trace. */
function assertOneLineError(r: MrResult, pattern: RegExp): void {
  assert.notEqual(r.code, 0, `expected failure; stdout: ${r.stdout.slice(0, 200)}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] as string, pattern);
}

/** Input lines `CODE word...` over known and unknown codes, stop words among the words. */
function writeInput(file: string, lines: number, seed: number): void {
  const rand = mulberry32(seed);
  const codes = ['fr', 'de', 'jp', 'xx'];
  const words = ['the', 'a', 'of', 'and', 'river', 'hill', 'sea', 'town'];
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = Math.floor(rand() * 6);
    const ws = Array.from({ length: n }, () => words[Math.floor(rand() * words.length)] as string);
    out.push([codes[Math.floor(rand() * codes.length)] as string, ...ws].join(' '));
  }
  out.push('salt');
  fs.writeFileSync(file, out.join('\n') + '\n');
}

/** The fixture's answer computed here from the same data files, independently of the job. */
function expected(inputs: readonly string[]): Map<string, number> {
  const rows = fs.readFileSync(path.join(FIXTURE_DIR, 'countries.csv'), 'utf8').trim().split('\n').slice(1);
  const names = new Map(rows.map((r) => r.split(',') as [string, string]));
  const stop = new Set(fs.readFileSync(path.join(FIXTURE_DIR, 'stop.txt'), 'utf8').split(/\s+/));
  const out = new Map<string, number>();
  for (const file of inputs) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      if (line === 'salt') {
        const sum = [...fs.readFileSync(path.join(FIXTURE_DIR, 'salt.dat'))].reduce((a, b) => a + b, 0);
        out.set('salt', (out.get('salt') ?? 0) + sum);
        continue;
      }
      const [code = '', ...words] = line.split(' ');
      const name = names.get(code) ?? '?';
      const n = words.filter((w) => w && !stop.has(w)).length;
      if (n) out.set(name, (out.get(name) ?? 0) + n);
    }
  }
  return out;
}

/** `KEY<TAB>VALUE` lines as a map. */
function parseText(stdout: string): Map<string, number> {
  return new Map(
    stdout
      .split('\n')
      .filter((l) => l)
      .map((l) => [l.slice(0, l.lastIndexOf('\t')), Number(l.slice(l.lastIndexOf('\t') + 1))] as [string, number]),
  );
}

describe('data files in the job pack', () => {
  let dir: string;
  let inputs: string[];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-pack-files-'));
    inputs = [path.join(dir, 'first.txt'), path.join(dir, 'second.txt')];
    inputs.forEach((file, i) => writeInput(file, 3000, 11 + i));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('mr run: text (.csv, .txt) and binary (.dat) imports read in the tasks', async () => {
    const job = path.join('test', 'fixtures', 'pack-files', JOB);
    const r = await runMr(['run', job, '--input', ...inputs, '--chunk-size', '8KiB', '--slots', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(parseText(r.stdout), expected(inputs));
  });

  describe('on three workers', () => {
    let cluster: TestCluster;
    let client: GrooveClient;
    before(async () => {
      cluster = await startCluster({ workers: 3, slots: 1 });
      client = new GrooveClient({ master: cluster.master });
    });
    after(async () => {
      client.close();
      await cluster.stop();
    });

    it('the data travel in the pack: gone from disk after packing, the tasks still read them', async () => {
      // A copy of the job beside its data, then the data deleted once packed.
      const copy = path.join(dir, 'job-copy');
      fs.mkdirSync(copy);
      fs.writeFileSync(
        path.join(copy, JOB),
        fs.readFileSync(path.join(FIXTURE_DIR, JOB), 'utf8').replace("'../../../sdk/index.js'", "'groove-mr'"),
      );
      for (const f of DATA_FILES) fs.copyFileSync(path.join(FIXTURE_DIR, f), path.join(copy, f));
      const packed = await packJobFile(path.join(copy, JOB));
      fs.rmSync(copy, { recursive: true });
      const id = await client.submitPacked(packed, { inputs, chunkSize: 8 * 1024, partitions: 3 });
      await client.wait(id);
      const status = await client.status(id);
      assert.ok(status.mapsTotal >= 3, `only ${status.mapsTotal} maps`);
      assert.deepEqual(await collectResults(client, id), expected(inputs));
    });
  });

  it('a text file of any name with { type: "text" }, bytes with { type: "bytes" }', async () => {
    const sub = path.join(dir, 'attrs');
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, 'words.conf'), 'alpha beta');
    const bytes = crypto.randomBytes(64);
    fs.writeFileSync(path.join(sub, 'table.raw'), bytes);
    fs.writeFileSync(
      path.join(sub, 'job.ts'),
      [
        "import { defineJob } from 'groove-mr';",
        "import words from './words.conf' with { type: 'text' };",
        "import table from './table.raw' with { type: 'bytes' };",
        'export default defineJob({',
        '  map(line: string, emit) {',
        '    emit(line, [words, Buffer.from(table).toString("hex")]);',
        '  },',
        '});',
      ].join('\n'),
    );
    const r = await runMr(['run', path.join(sub, 'job.ts'), '--input', inputs[0] as string, '--format', 'jsonl']);
    assert.equal(r.code, 0, r.stderr);
    const first = JSON.parse(r.stdout.split('\n')[0] as string) as [string, [string, string]];
    assert.deepEqual(first[1], ['alpha beta', bytes.toString('hex')]);
  });

  it('a missing data file: refused at submit with one line naming it', async () => {
    const sub = path.join(dir, 'missing');
    fs.mkdirSync(sub);
    fs.writeFileSync(
      path.join(sub, 'job.ts'),
      "import { defineJob } from 'groove-mr';\nimport stop from './stopwords.txt';\n" +
        'export default defineJob({ map(line: string, emit) { if (!stop.includes(line)) emit(line, 1); } });\n',
    );
    const r = await runMr(['run', path.join(sub, 'job.ts'), '--input', inputs[0] as string]);
    assertOneLineError(r, /job\.ts: does not compile: 2:\d+: Could not resolve "\.\/stopwords\.txt"$/);
  });

  it('a file of an ending with no loader: refused with what to write instead', async () => {
    const sub = path.join(dir, 'noloader');
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, 'model.weights'), 'w');
    fs.writeFileSync(
      path.join(sub, 'job.ts'),
      "import { defineJob } from 'groove-mr';\nimport w from './model.weights';\n" +
        'export default defineJob({ map(line: string, emit) { emit(line, String(w)); } });\n',
    );
    const r = await runMr(['run', path.join(sub, 'job.ts'), '--input', inputs[0] as string]);
    assertOneLineError(r, /No loader is configured for "\.weights" files: .*\(import it with \{ type: 'text' \} or/);
  });

  it('a pack over the limit: refused before it is sent, naming the data file that made it big', async () => {
    const sub = path.join(dir, 'big');
    fs.mkdirSync(sub);
    // 33 MiB of text, over the 32 MiB limit once bundled.
    fs.writeFileSync(path.join(sub, 'huge.txt'), crypto.randomBytes(25 * 1024 * 1024).toString('base64'));
    fs.writeFileSync(
      path.join(sub, 'job.ts'),
      "import { defineJob } from 'groove-mr';\nimport huge from './huge.txt';\n" +
        'export default defineJob({ map(line: string, emit) { emit(line, huge.length); } });\n',
    );
    const r = await runMr(['run', path.join(sub, 'job.ts'), '--input', inputs[0] as string]);
    assertOneLineError(
      r,
      /job\.ts: its pack is 3\d\.\d MiB, over the limit of 32\.0 MiB; the largest files in it: \S*huge\.txt \(3\d\.\d MiB\)/,
    );
  });
});
