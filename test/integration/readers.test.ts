import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { BAD_RECORDS_COUNTER, GrooveClient, JobFailedError, UserError } from '../../sdk/index.js';
import type { Key } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import type { MrResult } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus, mulberry32 } from '../helpers/corpus.js';
import { referenceWordCount } from '../helpers/reference.js';
import { collectResults } from '../helpers/job-output.js';

/** The smallest chunk size: every input of a few KiB would be cut, were it cut at all. */
const CHUNK = 4096;

/** The join, computed by python3's csv module over the plain files (any file names, told apart by header). */
const PYTHON_JOIN = `
import csv, json, sys
names, totals = {}, {}
for f in sys.argv[1:]:
    with open(f, newline='', encoding='utf-8-sig') as fh:
        for row in csv.DictReader(fh):
            if 'id' in row: names[row['id']] = row['name']
            else: totals[row['user_id']] = totals.get(row['user_id'], 0) + int(row['amount'])
print(json.dumps(sorted([names[u], t] for u, t in totals.items() if u in names)))
`;

/** The per-key sums of a JSON-lines file set, by python3's json module. */
const PYTHON_SUM = `
import json, sys
sums = {}
for f in sys.argv[1:]:
    for line in open(f, encoding='utf-8'):
        if line.strip():
            r = json.loads(line)
            sums[r['user']] = sums.get(r['user'], 0) + r['bytes']
print(json.dumps(sorted([k, v] for k, v in sums.items())))
`;

/** Sorts records by their JSON, the same way on both sides of a comparison. */
function byJson<T>(records: T[]): T[] {
  return records.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** What a python3 script prints as JSON, its records sorted by {@link byJson}. */
function python(script: string, files: readonly string[]): unknown[] {
  return byJson(JSON.parse(execFileSync('python3', ['-c', script, ...files], { encoding: 'utf8' })) as unknown[]);
}

/** Quotes a CSV field the RFC 4180 way when it needs it. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Every record of a job's results as sorted JSON-comparable pairs. */
async function sortedPairs(client: GrooveClient, jobId: string): Promise<[Key, unknown][]> {
  const out: [Key, unknown][] = [];
  for await (const r of client.results(jobId)) out.push(r);
  return byJson(out);
}

function assertOneLineError(r: MrResult, pattern: RegExp): void {
  assert.notEqual(r.code, 0, `expected failure, got exit 0; stdout: ${r.stdout.slice(0, 200)}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] as string, pattern);
}

describe('record readers and compressed inputs on three workers', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let dir: string;
  const write = (name: string, data: string | Buffer): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, data);
    return p;
  };
  const zstd = (file: string): string => {
    execFileSync('zstd', ['-q', '-f', file, '-o', `${file}.zst`]);
    return `${file}.zst`;
  };

  before(async () => {
    cluster = await startCluster({ workers: 3, slots: 2 });
    client = new GrooveClient({ master: cluster.master });
    dir = path.join(cluster.dir, 'inputs');
    fs.mkdirSync(dir);
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  describe('jobs/join.ts over CSV files of any names', () => {
    let plain: string[];
    let inputs: string[];
    before(() => {
      const rnd = mulberry32(16);
      const users = ['id,name'];
      for (let i = 0; i < 1200; i++) {
        // Quoted commas, quotes and line ends, some long enough to straddle a 4 KiB boundary.
        const odd = i % 7 === 0 ? `, "the ${i}th"\nof the line` : '';
        users.push(`${i},${csvField(`User ${i}${odd}${i % 150 === 0 ? 'x'.repeat(300) : ''}`)}`);
      }
      // Some orders are of ids no user has: the join leaves them out.
      const orders = (): string => {
        const lines = ['user_id,amount'];
        for (let i = 0; i < 1500; i++) lines.push(`${Math.floor(rnd() * 1300)},${Math.floor(rnd() * 1000)}`);
        return lines.join('\r\n') + '\r\n';
      };
      const half = Math.floor(users.length / 2);
      plain = [
        write('first.csv', users.slice(0, half).join('\n') + '\n'),
        write('second.csv', [users[0], ...users.slice(half)].join('\n')),
        write('a.csv', orders()),
        write('b.csv', orders()),
      ];
      // The same rows, some of the files compressed: names say nothing of which side a file is.
      inputs = [
        plain[0] as string,
        write('x.csv.gz', zlib.gzipSync(fs.readFileSync(plain[1] as string))),
        plain[2] as string,
        zstd(plain[3] as string),
      ];
      for (const f of plain) assert.ok(fs.statSync(f).size > 2 * CHUNK, 'inputs larger than two chunks');
    });

    it('joins users and orders as python3 csv does, cutting no file', async () => {
      const id = await client.submit('jobs/join.ts', { inputs, partitions: 3, chunkSize: CHUNK, packInputs: false });
      const status = await client.wait(id);
      assert.equal(status.mapsTotal, inputs.length, 'one map task per CSV file');
      assert.deepEqual(await sortedPairs(client, id), python(PYTHON_JOIN, plain));
    });

    it('and with mr run', async () => {
      const r = await runMr(['run', 'jobs/join.ts', '--format', 'jsonl', ...inputs.flatMap((f) => ['--input', f])]);
      assert.equal(r.code, 0, r.stderr);
      const got = byJson(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown),
      );
      assert.deepEqual(got, python(PYTHON_JOIN, plain));
    });
  });

  it('jobs/jsonl-sum.ts sums a field per key as python3 does, over cut plain and whole zstd files', async () => {
    const rnd = mulberry32(5);
    const lines = (n: number): string =>
      Array.from({ length: n }, (_, i) =>
        JSON.stringify({ user: `u${Math.floor(rnd() * 40)}`, bytes: Math.floor(rnd() * 1e6), i, note: 'é' }),
      ).join('\n') + '\n\n';
    const a = write('events-a.jsonl', lines(600));
    const b = write('events-b.jsonl', lines(600));
    const id = await client.submit('jobs/jsonl-sum.ts', {
      inputs: [a, zstd(b)],
      params: { key: 'user', value: 'bytes' },
      chunkSize: CHUNK,
    });
    const status = await client.wait(id);
    assert.ok(status.mapsTotal > 3, `the plain file is cut into chunks (${status.mapsTotal} maps)`);
    assert.deepEqual(await sortedPairs(client, id), python(PYTHON_SUM, [a, b]));
  });

  it('counts the words of gzip and zstd copies of a file as of the file itself', async () => {
    const [text] = writeCorpus(path.join(dir, 'corpus'), 1, 20_000, 3) as [string];
    const gz = write('words.txt.gz', zlib.gzipSync(fs.readFileSync(text)));
    const expected = referenceWordCount([text]);
    for (const input of [gz, zstd(text)]) {
      const id = await client.submit('jobs/wordcount.ts', { inputs: [input], chunkSize: CHUNK });
      const status = await client.wait(id);
      assert.equal(status.mapsTotal, 1, `${input} is one map task`);
      assert.deepEqual(await collectResults(client, id), expected);
    }
  });

  describe('bad jsonl records', () => {
    let input: string;
    /** The bad lines, by their line numbers in the file (past its first chunks). */
    const badLines = new Map([
      [1501, '{"broken": tru'],
      [1701, 'not json at all'],
    ]);
    before(() => {
      const good = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ i }));
      for (const [n, text] of badLines) good.splice(n - 1, 0, text);
      input = write('mixed.jsonl', good.join('\n') + '\n');
    });

    it('fail the job at once with the input, the line and the parse error', async () => {
      const id = await client.submit('test/fixtures/jsonl-count.ts', {
        inputs: [input],
        chunkSize: CHUNK,
        maxAttempts: 4,
      });
      await assert.rejects(client.wait(id), (err: unknown) => {
        assert.ok(err instanceof JobFailedError);
        // Whichever chunk's task fails first names its line: both lines are bad.
        const line = /: line (\d+) is not JSON \(.+\): (".*")$/.exec(err.message);
        assert.ok(err.message.includes(`input ${input}: line `) && line, err.message);
        assert.equal(line[2], JSON.stringify(badLines.get(Number(line[1]))), err.message);
        return true;
      });
      assert.equal((await client.status(id)).failedAttempts, 1, 'a bad record is not retried');
    });

    it('are skipped and counted with onBadRecord: skip', async () => {
      const id = await client.submit('test/fixtures/jsonl-count-skip.ts', { inputs: [input], chunkSize: CHUNK });
      const status = await client.wait(id);
      assert.equal(status.counters[BAD_RECORDS_COUNTER], 2);
      assert.deepEqual(await collectResults(client, id), new Map([['object', 2000]]));
    });
  });

  describe('mistakes refused in one line', () => {
    it('an unknown option, with the closest known one, by mr run', async () => {
      const r = await runMr(['run', 'test/fixtures/unknown-option.ts', '--input', write('one.txt', 'a\n')]);
      assertOneLineError(
        r,
        /unknown-option\.ts: .*unknown option reducer in defineJob: did you mean reduce\?( \(at [^)]*\))?$/,
      );
    });

    it('a binary input and one compressed with a codec Groove does not read, at submit', async () => {
      // mr run is this submit (test/integration/mr-run.test.ts runs it for every codec); the workers refuse the same
      // files at their first record when the client cannot see them (test/unit/record-readers.test.ts).
      const bin = write('data.bin', Buffer.from('head\n\u0000\u0001\u0002'));
      const xz = write('data.xz', execFileSync('xz', ['-c'], { input: 'some text\n' }));
      for (const [input, pattern] of [
        [bin, /^input .*data\.bin is binary \(a NUL byte at offset 5\), not text/],
        [xz, /^input .*data\.xz is xz-compressed, not text: decompress or convert it first/],
      ] as const) {
        await assert.rejects(client.submit('jobs/join.ts', { inputs: [input] }), (err: unknown) => {
          assert.ok(err instanceof UserError && !err.message.includes('\n'), String(err));
          assert.match(err.message, pattern);
          return true;
        });
      }
    });
  });
});
