import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import type { SubmitOptions } from '../../sdk/index.js';
import { BLOCK_HEADER_BYTES, PART_FILE_END_BYTES } from '../../proto/formats/index.js';
import { RecordFileReader, varintSize } from '../../proto/formats/index.js';
import { readMapOutputIndex } from '../../proto/formats/index.js';
import { runMr } from '../helpers/cli.js';
import { startCluster, waitUntil } from '../helpers/cluster.js';
import type { TestCluster } from '../helpers/cluster.js';
import { writeCorpus } from '../helpers/corpus.js';
import { collectEvents, collectResults } from '../helpers/job-output.js';
import { referenceWordCount } from '../helpers/reference.js';

const GATED = 'test/fixtures/gated-wordcount.ts';

/** Every file under `dir` whose path matches `re`. */
function findFiles(dir: string, re: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => path.join(dir, f)).filter((f) => re.test(f));
}

/** Flips one bit of the byte at `offset` of `file`, in place. */
function flipByte(file: string, offset: number): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, offset);
    b[0] = (b[0] as number) ^ 0x04;
    fs.writeSync(fd, b, 0, 1, offset);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A file offset in the part file `file` where a record ends and another starts in the same
 * block: a cut there leaves whole records and a block shorter than its header says.
 */
function recordBoundaryInsideBlock(file: string): number {
  const reader = RecordFileReader.open(file, 0, fs.statSync(file).size - PART_FILE_END_BYTES);
  let cut = -1;
  try {
    let before = reader.offset;
    while (reader.next()) {
      const { key, value } = reader;
      const length = varintSize(key.length) + key.length + varintSize(value.length) + value.length;
      if (reader.offset - length === before && before > BLOCK_HEADER_BYTES) cut = before;
      before = reader.offset;
    }
  } finally {
    reader.close();
  }
  assert.ok(cut > 0, 'a block holds two records');
  return cut;
}

/** Waits for the first event of the job that `matches`, following it live. */
async function waitForEvent(client: GrooveClient, jobId: string, matches: (line: string) => boolean): Promise<void> {
  for await (const e of client.watch(jobId)) if (matches(`${e.type} ${e.message}`)) return;
  throw new Error(`job ${jobId} ended without the event awaited`);
}

describe('integrity: damaged map outputs, fetched copies and part files are detected, never read as data', () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let files: string[];
  let expected: Map<string, unknown>;
  let gates = 0;
  const newGate = (): string => path.join(cluster.dir, `gate-${gates++}`);
  const submit = (params: Record<string, string>, extra: Partial<SubmitOptions> = {}): Promise<string> =>
    client.submit(GATED, {
      inputs: files,
      partitions: 2,
      chunkSize: 64 * 1024,
      speculation: false,
      maxAttempts: 4,
      params,
      ...extra,
    });

  before(async () => {
    cluster = await startCluster({ workers: 2, slots: 1, masterArgs: ['--retry-backoff-ms', '50'] });
    client = new GrooveClient({ master: cluster.master });
    files = writeCorpus(path.join(cluster.dir, 'corpus'), 4, 12_000);
    expected = new Map<string, unknown>(referenceWordCount(files));
  });
  after(async () => {
    client.close();
    await cluster.stop();
  });

  it('a byte flipped in a committed map output before the reduces run: that map runs again, the counts are exact', async () => {
    const gate = newGate();
    const id = await submit({ mapGate: gate, ungatedMap: 'map-00000' });
    const events = collectEvents(client, id);
    await waitForEvent(client, id, (e) => e.startsWith('task-succeeded map-00000 '));
    const [output] = cluster.workers.flatMap((w) =>
      findFiles(path.join(w.dataDir, 'jobs', id), /map-00000-a\d+\/output\.data$/),
    );
    assert.ok(output, 'the committed output of map-00000 is on a worker');
    const index = readMapOutputIndex(path.dirname(output));
    const p = (index.offsets[1] as number) > 64 ? 0 : 1;
    const start = index.offsets[p] as number;
    const end = index.offsets[p + 1] as number;
    assert.ok(end - start > 1000, `partition ${p} of map-00000 has records`);
    flipByte(output, start + Math.floor((end - start) / 2));
    fs.writeFileSync(gate, '');
    await client.wait(id);
    assert.deepEqual(await collectResults(client, id), expected, 'exact counts');
    const lines = await events;
    assert.ok(
      lines.some((l) => l.startsWith('fetch-failed ') && l.includes('map-00000') && /checksum mismatch/.test(l)),
      `a reducer reported map-00000's output corrupt:\n${lines.join('\n')}`,
    );
    assert.equal(lines.filter((l) => l.startsWith('task-succeeded map-00000 ')).length, 2, 'map-00000 ran again');
    assert.equal(lines.filter((l) => l.startsWith('task-failed ')).length, 0, 'no attempt was charged as failed');
  });

  it('a byte flipped in a fetched copy while the reduce reads it: the map runs again, the counts are exact', async () => {
    const gate = newGate();
    // A map per file, each copy bigger than the reducer's read buffer (1 MiB), so the end
    // of a copy is read from disk after the reduce started.
    const big = writeCorpus(path.join(cluster.dir, 'big-corpus'), 2, 200_000, 7);
    const bigExpected = new Map<string, unknown>(referenceWordCount(big));
    const id = await submit(
      { reduceGate: gate, reduceReady: `${gate}-ready` },
      { inputs: big, partitions: 1, chunkSize: 8 * 1024 * 1024, packInputs: false },
    );
    const events = collectEvents(client, id);
    // The reduce is at its first key: every copy fetched, the first block of each verified and read.
    await waitUntil('the reduce is at its gate', () => fs.existsSync(`${gate}-ready.reduce-00000`), 60_000);
    const copies = cluster.workers.flatMap((w) =>
      findFiles(path.join(w.dataDir, 'jobs', id), /reduce-00000-a0\/fetch-\d+\.data$/),
    );
    const copy = copies.find((f) => fs.statSync(f).size > (3 * 1024 * 1024) / 2);
    assert.ok(
      copy,
      `a fetched copy of several blocks (copies of ${copies.map((f) => fs.statSync(f).size).join(', ')} bytes)`,
    );
    // Its last block: not read yet.
    flipByte(copy, fs.statSync(copy).size - 100);
    fs.writeFileSync(gate, '');
    await client.wait(id);
    assert.deepEqual(await collectResults(client, id), bigExpected, 'exact counts');
    const lines = await events;
    assert.ok(
      lines.some(
        (l) => l.startsWith('fetch-failed ') && /its output is corrupt: .*fetch-\d+\.data: checksum mismatch/.test(l),
      ),
      `the reducer reported the fetched copy corrupt:\n${lines.join('\n')}`,
    );
    assert.ok(!fs.existsSync(copy), 'the failed attempt removed its fetched copies');
  });

  it('a flipped or cut part file: mr results fails with one line naming the partition and worker, and prints nothing of it', async () => {
    const id = await submit({}, { partitions: 3 });
    await client.wait(id);
    const good = await runMr(['results', '--master', cluster.master, id]);
    assert.equal(good.code, 0, good.stderr);
    const parts = await client.resultParts(id);
    const damaged = parts[1];
    assert.ok(damaged);
    let firstRecords = 0;
    for await (const _ of client.readPart(id, parts[0] as (typeof parts)[number])) firstRecords++;
    const worker = cluster.workers.find((w) => w.id === damaged.workerId);
    assert.ok(worker);
    const file = path.join(worker.dataDir, damaged.path);
    const intact = fs.readFileSync(file);
    // What partition 0 printed: the lines before partition 1's.
    const before = good.stdout.split('\n').slice(0, firstRecords).join('\n') + '\n';
    const damages: [string, () => void, RegExp][] = [
      ['a flipped byte', () => flipByte(file, Math.floor(intact.length / 2)), /checksum mismatch/],
      // The end marker gone: the file now ends at a block (and record) boundary.
      ['cut at a block boundary', () => fs.truncateSync(file, intact.length - 20), /end marker/],
      // Cut where a record ends inside the last block: the block's length says more.
      [
        'cut at a record boundary inside a block',
        () => fs.truncateSync(file, recordBoundaryInsideBlock(file)),
        /ends inside a block/,
      ],
    ];
    for (const [what, damage, why] of damages) {
      fs.writeFileSync(file, intact);
      damage();
      const res = await runMr(['results', '--master', cluster.master, id]);
      assert.notEqual(res.code, 0, `${what}: exit status`);
      const message = res.stderr.trim();
      assert.equal(message.split('\n').length, 1, `${what}: one line: ${message}`);
      assert.match(message, new RegExp(`partition 1 on worker ${damaged.workerId} is corrupt`), what);
      assert.match(message, why, what);
      assert.match(message, /run the job again/, what);
      assert.equal(res.stdout, before, `${what}: nothing of partition 1 was printed`);
      const out = path.join(cluster.dir, `results-${damages.findIndex((d) => d[0] === what)}`);
      const toDir = await runMr(['results', '--master', cluster.master, id, '--output', out]);
      assert.notEqual(toDir.code, 0, `${what}: exit status with --output`);
      assert.match(toDir.stderr.trim(), new RegExp(`^mr: partition 1 on worker ${damaged.workerId} is corrupt`), what);
      assert.ok(
        !fs.existsSync(path.join(out, 'part-00001')),
        `${what}: no file of partition 1 in the output directory`,
      );
    }
    fs.writeFileSync(file, intact);
    const again = await runMr(['results', '--master', cluster.master, id]);
    assert.equal(again.stdout, good.stdout, 'the intact file reads as before');
  });
});

/** Mounts a tmpfs of `size` at `dir` (created); returns why it cannot, or undefined when mounted. */
function mountTmpfs(dir: string, size: string): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `cannot mount a tmpfs: ${(err as Error).message}`;
  }
}

describe("integrity: a reducer's own full disk is the reducer's failure, not the maps'", () => {
  let cluster: TestCluster;
  let client: GrooveClient;
  let tiny: string | undefined;

  before(async () => {
    cluster = await startCluster({ workers: 1, slots: 1, masterArgs: ['--retry-backoff-ms', '50'] });
    client = new GrooveClient({ master: cluster.master });
  });
  after(async () => {
    client.close();
    for (const w of cluster.workers) await w.daemon.stop();
    if (tiny) execFileSync('umount', [tiny]);
    await cluster.stop();
  });

  it("ENOSPC while fetching fails the attempt as the worker's, re-runs no map, and leaves no fetched copy", async (t) => {
    const files = writeCorpus(path.join(cluster.dir, 'corpus'), 1, 120_000, 11);
    const gate = path.join(cluster.dir, 'gate');
    // One map, held until the second worker (whose data dir is a tiny tmpfs) has joined:
    // the map's output is then on the first worker, and one reduce goes to each.
    const id = await client.submit(GATED, {
      inputs: files,
      partitions: 2,
      chunkSize: 8 * 1024 * 1024,
      speculation: false,
      maxAttempts: 4,
      params: { mapGate: gate },
    });
    const events = collectEvents(client, id);
    await waitForEvent(client, id, (e) => e.startsWith('task-started map-00000 '));
    const dataDir = path.join(cluster.dir, `w${cluster.workers.length}`);
    const why = mountTmpfs(dataDir, '256k');
    if (why) {
      fs.writeFileSync(gate, '');
      await client.wait(id);
      t.skip(why);
      return;
    }
    tiny = dataDir;
    const small = await cluster.addWorker();
    assert.equal(small.dataDir, dataDir);
    await waitUntil(
      '2 workers alive',
      async () => (await client.workers()).filter((w) => w.state === 'alive').length === 2,
    );
    fs.writeFileSync(gate, '');
    await client.wait(id);
    assert.deepEqual(
      await collectResults(client, id),
      new Map<string, unknown>(referenceWordCount(files)),
      'exact counts',
    );
    const lines = await events;
    const full = lines.filter((l) => l.startsWith('task-failed reduce-') && l.includes(` on ${small.id} `));
    assert.ok(
      full.some((l) => /ENOSPC|no space left/.test(l) && /this worker's disk/.test(l)),
      `the reduce on the full worker failed with ENOSPC:\n${lines.join('\n')}`,
    );
    assert.equal(
      lines.filter((l) => l.startsWith('fetch-failed ')).length,
      0,
      `no fetch failure was reported:\n${lines.join('\n')}`,
    );
    assert.equal(lines.filter((l) => l.startsWith('task-succeeded map-00000 ')).length, 1, 'the map did not run again');
    assert.deepEqual(findFiles(dataDir, /fetch-\d+\.data$/), [], 'no fetched copy stayed behind');
  });
});
