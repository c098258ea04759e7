import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMr } from '../helpers/cli.js';
import type { MrResult } from '../helpers/cli.js';
import { startCluster } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { mulberry32 } from '../helpers/corpus.js';
import { partTexts } from '../helpers/part-files.js';

/** `LC_ALL=C sort [-u] FILES...` as coreutils says it, the independent answer. */
function coreutilsSort(files: readonly string[], unique = false): string {
  return execFileSync('sort', [...(unique ? ['-u'] : []), ...files], {
    env: { ...process.env, LC_ALL: 'C' },
    maxBuffer: 1 << 30,
  }).toString('utf8');
}

/** jobs/sort.ts prints KEY<TAB>REST: the line is the two joined again. */
function joinedLines(text: string): string {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace('\t', '') + '\n')
    .join('');
}

/** Lines of random text: a 10-character key from a small alphabet (so keys repeat) and a payload. */
function writeRecords(dir: string, files: number, lines: number, seed: number): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const random = mulberry32(seed);
  // BMP only: jobs/sort.ts cuts the key at 10 UTF-16 units, which would split a surrogate pair.
  const chars = [...' !#%09:AZ_az~éü€'];
  const pick = (n: number): string =>
    Array.from({ length: n }, () => chars[Math.floor(random() * chars.length)] as string).join('');
  return Array.from({ length: files }, (_, f) => {
    const file = path.join(dir, `r${f}.txt`);
    const body = Array.from({ length: lines }, () => (random() < 0.05 ? pick(3) : pick(10) + pick(12))).join('\n');
    fs.writeFileSync(file, body + '\n');
    return file;
  });
}

/** Event lines `USER TIME EVENT`, times unique per user, in random order. */
function writeEvents(file: string, count: number, seed: number): void {
  const random = mulberry32(seed);
  const used = new Set<string>();
  const lines: string[] = [];
  while (lines.length < count) {
    const user = `u${Math.floor(random() * 25)}`;
    const time = Math.floor(random() * 1e6) - 5000;
    if (used.has(`${user} ${time}`)) continue;
    used.add(`${user} ${time}`);
    lines.push(`${user} ${time} e${lines.length}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** The timeline, computed here: per user, events by time. USER<TAB>TIME:EVENT ... lines, users by code point. */
function expectedTimeline(file: string): Map<string, string> {
  const byUser = new Map<string, [number, string][]>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const [user, time, event] = line.split(' ') as [string, string, string];
    byUser.set(user, [...(byUser.get(user) ?? []), [Number(time), event]]);
  }
  const out = new Map<string, string>();
  for (const [user, events] of byUser)
    out.set(
      user,
      events
        .sort((a, b) => a[0] - b[0])
        .map(([t, e]) => `${t}:${e}`)
        .join(' '),
    );
  return out;
}

function timelineOf(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    assert.ok(!out.has(line.slice(0, tab)), `user ${line.slice(0, tab)} twice: groups must not be cut`);
    out.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return out;
}

/** A user's mistake ends with one line on stderr and no stack trace. */
function assertOneLineError(r: MrResult, pattern: RegExp): void {
  assert.notEqual(r.code, 0, `expected failure, got exit 0; stdout: ${r.stdout.slice(0, 200)}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] as string, pattern);
}

describe('sorting with mr run', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-sorting-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('jobs/sort.ts: part files in partition order equal LC_ALL=C sort (distinct keys), with nothing passed', async () => {
    const files = writeRecords(path.join(dir, 'records'), 3, 3000, 11);
    const out = path.join(dir, 'sorted');
    const r = await runMr([
      'run',
      'jobs/sort.ts',
      '--input',
      path.join(dir, 'records'),
      '--partitions',
      '4',
      '--chunk-size',
      '32KiB',
      '--slots',
      '2',
      '--output',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const texts = partTexts(out);
    assert.equal(texts.length, 4);
    assert.ok(joinedLines(texts.join('')) === coreutilsSort(files), 'not the same as LC_ALL=C sort');
    // The sampled split points spread the keys: no partition holds more than half of them.
    const lines = texts.map((t) => t.split('\n').length - 1);
    const total = lines.reduce((a, b) => a + b, 0);
    for (const [i, n] of lines.entries()) assert.ok(n > 0 && n < total / 2, `part ${i}: ${n} of ${total} lines`);
  });

  it('jobs/timeline.ts: one reduce call per user, events in time order (groupPrefix)', async () => {
    const file = path.join(dir, 'events.txt');
    writeEvents(file, 4000, 3);
    const r = await runMr(['run', 'jobs/timeline.ts', '--input', file, '--partitions', '3', '--chunk-size', '16KiB']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(timelineOf(r.stdout), expectedTimeline(file));
  });

  it('groupPrefix with totalOrder: users in global order across part files, none cut', async () => {
    const file = path.join(dir, 'events.txt');
    const out = path.join(dir, 'timeline-sorted');
    const r = await runMr([
      'run',
      'test/fixtures/timeline-total-order.ts',
      '--input',
      file,
      '--partitions',
      '4',
      '--chunk-size',
      '16KiB',
      '--output',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const parts = partTexts(out);
    assert.ok(parts.filter((p) => p !== '').length >= 2, 'the users should be spread over partitions');
    const all = parts.join('');
    const expected = expectedTimeline(file);
    assert.deepEqual(timelineOf(all), expected);
    const users = [...timelineOf(all).keys()];
    assert.deepEqual(
      users,
      [...expected.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });

  it('jobs/distinct.ts: one record, what sort -u | wc -l says', async () => {
    const files = writeRecords(path.join(dir, 'distinct'), 2, 4000, 5);
    // Repeated lines, within and across files.
    fs.appendFileSync(files[0] as string, fs.readFileSync(files[1] as string));
    const r = await runMr(['run', 'jobs/distinct.ts', '--input', ...files, '--chunk-size', '32KiB']);
    assert.equal(r.code, 0, r.stderr);
    const expected = coreutilsSort(files, true).split('\n').length - 1;
    assert.equal(r.stdout, `distinct\t${expected}\n`);
  });

  it('refuses keys without a tuple prefix in a groupPrefix job, in one line', async () => {
    const file = path.join(dir, 'events.txt');
    assertOneLineError(
      await runMr(['run', 'test/fixtures/group-prefix-scalar-key.ts', '--input', file]),
      /groupPrefix 1 needs keys that are arrays of at least 1 elements; got a key that is not an array/,
    );
  });

  it('fails a totalOrder job whose map fails on the sample before submitting, in one line', async () => {
    const file = path.join(dir, 'events.txt');
    assertOneLineError(
      await runMr(['run', 'test/fixtures/total-order-throws.ts', '--input', file]),
      /totalOrder sampling: map failed on a record of .*events\.txt: no map for "u/,
    );
  });
});

describe('sorting on a cluster of three workers', () => {
  let cluster: TestCluster;
  let dir: string;
  before(async () => {
    cluster = await startCluster({ workers: 3, slots: 1 });
    dir = path.join(cluster.dir, 'data');
  });
  after(async () => {
    await cluster.stop();
  });

  async function submitted(args: readonly string[]): Promise<string> {
    const r = await runMr(['submit', ...args, '--master', cluster.master, '--wait']);
    assert.equal(r.code, 0, r.stderr);
    const results = await runMr(['results', r.stdout.split('\n')[0] as string, '--master', cluster.master]);
    assert.equal(results.code, 0, results.stderr);
    return results.stdout;
  }

  it('jobs/sort.ts over 5 partitions: mr results equals LC_ALL=C sort', async () => {
    const files = writeRecords(path.join(dir, 'records'), 4, 2500, 21);
    const out = await submitted(['jobs/sort.ts', '--input', ...files, '--partitions', '5', '--chunk-size', '24KiB']);
    assert.ok(joinedLines(out) === coreutilsSort(files), 'not the same as LC_ALL=C sort');
  });

  it('jobs/timeline.ts and jobs/distinct.ts give the independent answers', async () => {
    const events = path.join(dir, 'events.txt');
    writeEvents(events, 3000, 8);
    const timeline = await submitted([
      'jobs/timeline.ts',
      '--input',
      events,
      '--partitions',
      '4',
      '--chunk-size',
      '8KiB',
    ]);
    assert.deepEqual(timelineOf(timeline), expectedTimeline(events));
    const files = writeRecords(path.join(dir, 'lines'), 3, 2000, 4);
    const distinct = await submitted(['jobs/distinct.ts', '--input', ...files, '--chunk-size', '16KiB']);
    assert.equal(distinct, `distinct\t${coreutilsSort(files, true).split('\n').length - 1}\n`);
  });
});
