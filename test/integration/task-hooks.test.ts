import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { runMr } from '../helpers/cli.js';
import type { MrResult } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';

const HOOKS = 'test/fixtures/hooks-table.ts';

/** A word -> category table over a third of the corpus's words, as `WORD<TAB>CATEGORY` lines. */
function writeTable(files: readonly string[], file: string): Map<string, string> {
  const words = new Set<string>();
  for (const f of files) for (const w of fs.readFileSync(f, 'utf8').split(/\s+/)) if (w) words.add(w);
  const table = new Map<string, string>();
  [...words].sort().forEach((w, i) => {
    if (i % 3 === 0) table.set(w, `len${[...w].length % 4}`);
  });
  fs.writeFileSync(file, [...table].map(([w, c]) => `${w}\t${c}\n`).join(''));
  return table;
}

/** What the hooks fixture must count per category, computed here without Groove. */
function expectedCategories(files: readonly string[], table: ReadonlyMap<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of files) {
    for (const w of fs.readFileSync(f, 'utf8').split(/\s+/)) {
      if (!w) continue;
      const c = table.get(w) ?? 'other';
      out.set(c, (out.get(c) ?? 0) + 1);
    }
  }
  return out;
}

/** The `KEY<TAB>VALUE` lines of `mr run`'s output, every one kept (a key may repeat). */
function textLines(stdout: string): [string, number][] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [k, v] = l.split('\t');
      return [k as string, Number(v)];
    });
}

function assertOneLineError(r: MrResult, pattern: RegExp): void {
  assert.notEqual(r.code, 0, `expected failure, got exit 0; stdout: ${r.stdout.slice(0, 200)}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] as string, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'stack trace on stderr');
}

/** Checks the fixture's records: the categories, one map cleanup per map task, one reduce cleanup per partition. */
function checkHookRecords(
  records: readonly [string, number][],
  expected: ReadonlyMap<string, number>,
  mapTasks: number,
  partitions: number,
): void {
  const categories = new Map(records.filter(([k]) => !k.startsWith('~')));
  assert.deepEqual(categories, expected);
  assert.deepEqual(
    records.filter(([k]) => k === '~map-tasks'),
    [['~map-tasks', mapTasks]],
  );
  const reduceKeys = records.filter(([k]) => k === '~reduce-keys').map(([, n]) => n);
  assert.equal(reduceKeys.length, partitions, 'one reduceCleanup record per partition');
  // Every key the reduces saw: the categories and ~map-tasks.
  assert.equal(
    reduceKeys.reduce((a, b) => a + b, 0),
    expected.size + 1,
  );
}

describe('task hooks', () => {
  let dir: string;
  let files: string[];
  let tableFile: string;
  let expected: Map<string, number>;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-hooks-'));
    files = writeCorpus(path.join(dir, 'corpus'), 5, 3000, 11);
    tableFile = path.join(dir, 'table.tsv');
    expected = expectedCategories(files, writeTable(files, tableFile));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('mr run: mapSetup loads the table, mapCleanup emits each task total, reduce hooks run per partition', async () => {
    // One map task per file (--no-pack-inputs, every file under the chunk size).
    const r = await runMr([
      'run',
      HOOKS,
      '--input',
      ...files,
      '--no-pack-inputs',
      '--partitions',
      '2',
      '--param',
      `table=${tableFile}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    checkHookRecords(textLines(r.stdout), expected, files.length, 2);
  });

  it('fails with the hook, the task and the message, on one line, when an async mapSetup rejects', async () => {
    const r = await runMr(['run', 'test/fixtures/throws-in-map-setup.ts', '--input', files[0] as string]);
    assertOneLineError(
      r,
      /failed: map-00000 .*mapSetup threw on map-00000 \(before its first record\): Error: the lookup table is missing on purpose \(at test\/fixtures\/throws-in-map-setup\.ts:\d+\)$/,
    );
  });

  it('fails with the hook and the message, on one line, when reduceCleanup throws', async () => {
    const r = await runMr(['run', 'test/fixtures/throws-in-reduce-cleanup.ts', '--input', files[0] as string]);
    assertOneLineError(
      r,
      /failed: reduce-00000 .*reduceCleanup threw on reduce-00000 \(after its last record\): RangeError: cleanup refused on purpose \(at test\/fixtures\/throws-in-reduce-cleanup\.ts:\d+\)$/,
    );
  });

  describe('on three workers', () => {
    let cluster: TestCluster;
    let client: GrooveClient;
    before(async () => {
      cluster = await startCluster({ workers: 3, slots: 2 });
      client = new GrooveClient({ master: cluster.master });
    });
    after(async () => {
      client.close();
      await cluster.stop();
    });

    it('runs every hook once per attempt, with the counts of an independent computation', async () => {
      const id = await client.submit(HOOKS, {
        inputs: files,
        chunkSize: 8 * 1024,
        partitions: 4,
        params: { table: tableFile },
      });
      const status = await client.wait(id);
      assert.ok(status.mapsTotal > files.length, `expected files cut into chunks, got ${status.mapsTotal} maps`);
      const records: [string, number][] = [];
      for await (const [k, v] of client.results(id)) records.push([k as string, v as number]);
      checkHookRecords(records, expected, status.mapsTotal, 4);
    });
  });
});
