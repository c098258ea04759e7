import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeKey } from '../../proto/formats/index.js';
import { packJobFile, SAMPLE_LIMITS, sampleKeys } from '../../sdk/index.js';
import { ROOT } from '../helpers/cli.js';
import type { AnyJob } from '../../worker/index.js';
import { readResultPlace } from '../../sdk/index.js';
import type { Key, ResultSource } from '../../sdk/index.js';

describe('the totalOrder sampler', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-sampler-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('samples keys from all over a file, within its bounds', async () => {
    // Sorted lines, so where a sampled key comes from is its number.
    const lines = 400_000;
    const file = path.join(dir, 'sorted.txt');
    fs.writeFileSync(
      file,
      Array.from({ length: lines }, (_, i) => String(i).padStart(10, '0') + 'x'.repeat(20)).join('\n'),
    );
    const job = (await packJobFile(path.join(ROOT, 'jobs', 'sort.ts'))).job as AnyJob;
    const keys = (await sampleKeys(job, [file], {})).map((k) => Number(decodeKey(k)));
    assert.ok(keys.length > 1000 && keys.length <= SAMPLE_LIMITS.records + SAMPLE_LIMITS.pieces, `${keys.length} keys`);
    // Each place gives at most its share, rounded up; every tenth of the file gave keys.
    const tenths = new Set(keys.map((k) => Math.floor((k * 10) / lines)));
    assert.deepEqual([...tenths].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('spreads over the files of a directory when there are more than places', async () => {
    const sub = path.join(dir, 'many');
    fs.mkdirSync(sub);
    const files = 300;
    for (let f = 0; f < files; f++)
      fs.writeFileSync(path.join(sub, `f${String(f).padStart(3, '0')}.txt`), `${String(f).padStart(10, '0')}\n`);
    fs.writeFileSync(path.join(sub, '_SUCCESS'), 'not an input\n');
    const job = (await packJobFile(path.join(ROOT, 'jobs', 'sort.ts'))).job as AnyJob;
    const keys = (await sampleKeys(job, [sub], {})).map((k) => decodeKey(k) as string);
    assert.equal(keys.length, SAMPLE_LIMITS.pieces);
    const numbers = keys.map(Number).sort((a, b) => a - b);
    assert.ok((numbers[0] as number) < 10 && (numbers[numbers.length - 1] as number) > files - 10);
    assert.ok(!keys.includes('not an inp'));
  });
});

/** Records of a partition of the in-memory results: keys `pP-NNNNNNN`, in key order. */
function* partitionRecords(p: number, count: number, pulled: number[]): Generator<[Key, unknown]> {
  for (let i = 0; i < count; i++) {
    pulled[p] = (pulled[p] ?? 0) + 1;
    yield [`p${p}-${String(i).padStart(7, '0')}`, i];
  }
}

/**
 * An earlier job's results held in memory, served as a master and its workers do (the
 * sampler's real reader is driven; only where the records come from is replaced).
 */
function memoryResults(jobId: string, partitions: number, perPartition: number, pulled: number[]): ResultSource {
  const parts = Array.from({ length: partitions }, (_, p) => ({
    partition: p,
    workerId: `w${p % 3}`,
    dataAddress: '127.0.0.1:1',
    path: `part-${p}`,
  }));
  return {
    resultLocations: async (id) => {
      if (id !== jobId) throw new Error(`unknown job ${id}`);
      return { jobId, parts, outputUrl: '', outputFormat: '', partitions };
    },
    readPart: async function* (_id, part) {
      yield* partitionRecords(part.partition, perPartition, pulled);
    },
  };
}

describe('the totalOrder sampler over mr:// inputs', () => {
  let dir: string;
  let job: AnyJob;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-sampler-mr-'));
    job = (await packJobFile(path.join(ROOT, 'test', 'fixtures', 'resort-records.ts'))).job as AnyJob;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('samples every partition of a large result, stopping early in each', async () => {
    const pulled: number[] = [];
    const partitions = 6;
    const perPartition = 1_000_000;
    // Reading 500,000 records in this process takes seconds on a loaded machine: the test
    // gives the reads far more than the default deadline, so only their bounds are checked.
    const keys = (
      await sampleKeys(job, ['mr://job-1'], {}, memoryResults('job-1', partitions, perPartition, pulled), 600_000)
    ).map((k) => decodeKey(k) as string);
    const byPartition = new Map<string, number>();
    for (const k of keys) byPartition.set(k.slice(0, 2), (byPartition.get(k.slice(0, 2)) ?? 0) + 1);
    assert.deepEqual(
      [...byPartition.keys()].sort(),
      Array.from({ length: partitions }, (_, p) => `p${p}`),
    );
    const cap = Math.min(SAMPLE_LIMITS.recordsPerPartition, Math.ceil(SAMPLE_LIMITS.records / partitions));
    const scan = Math.max(SAMPLE_LIMITS.recordsPerPartition, Math.floor(SAMPLE_LIMITS.resultScanRecords / partitions));
    assert.ok(scan < perPartition);
    for (let p = 0; p < partitions; p++) {
      assert.equal(byPartition.get(`p${p}`), cap, `partition ${p}`);
      // The reader stops once the partition's share was read (one record of read-ahead at most).
      assert.ok((pulled[p] ?? 0) <= scan + 1, `partition ${p}: ${pulled[p]} records read`);
    }
  });

  it('spreads the sample over all of a partition that fits in its share, not only its first records', async () => {
    const perPartition = 50_000;
    const keys = (await sampleKeys(job, ['mr://job-7'], {}, memoryResults('job-7', 2, perPartition, []))).map(
      (k) => decodeKey(k) as string,
    );
    for (let p = 0; p < 2; p++) {
      const at = keys.filter((k) => k.startsWith(`p${p}-`)).map((k) => Number(k.slice(3)));
      assert.equal(at.length, SAMPLE_LIMITS.recordsPerPartition);
      const tenths = new Set(at.map((i) => Math.floor((i * 10) / perPartition)));
      assert.deepEqual([...tenths].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], `partition ${p}`);
    }
  });

  it('reads one partition for mr://JOB/PARTITION, and none of an unknown job', async () => {
    const pulled: number[] = [];
    const source = memoryResults('job-2', 4, 50, pulled);
    const keys = (await sampleKeys(job, ['mr://job-2/2', 'mr://job-none'], {}, source)).map(
      (k) => decodeKey(k) as string,
    );
    assert.equal(keys.length, 50);
    assert.ok(keys.every((k) => k.startsWith('p2-')));
    assert.deepEqual(
      pulled.map((n, p) => [p, n]).filter(([, n]) => n !== undefined),
      [[2, 50]],
    );
  });

  it('samples files and mr:// inputs together', async () => {
    const file = path.join(dir, 'lines.txt');
    const lines = 20_000;
    fs.writeFileSync(file, Array.from({ length: lines }, (_, i) => `f-${String(i).padStart(7, '0')}\t${i}`).join('\n'));
    const pulled: number[] = [];
    const keys = (await sampleKeys(job, [file, 'mr://job-3'], {}, memoryResults('job-3', 3, 5_000, pulled))).map(
      (k) => decodeKey(k) as string,
    );
    const fromFile = keys.filter((k) => k.startsWith('f-'));
    const fromResults = keys.filter((k) => k.startsWith('p'));
    assert.ok(fromFile.length > 100, `${fromFile.length} keys of the file`);
    for (let p = 0; p < 3; p++)
      assert.ok(
        fromResults.some((k) => k.startsWith(`p${p}-`)),
        `partition ${p}`,
      );
    assert.ok(keys.length <= SAMPLE_LIMITS.records + SAMPLE_LIMITS.pieces * 2, `${keys.length} keys`);
  });

  it('fails the submission in one line when the map throws on a result record', async () => {
    const throwing = {
      ...job,
      map: () => {
        throw new Error('no records here');
      },
    } as AnyJob;
    await assert.rejects(
      sampleKeys(throwing, ['mr://job-4'], {}, memoryResults('job-4', 2, 10, [])),
      /^UserError: totalOrder sampling: map failed on a record of mr:\/\/job-4\/\d: no records here$/,
    );
  });

  it('leaves a partition that does not answer by the deadline out, in bounded time', async () => {
    const part = { partition: 0, workerId: 'w0', dataAddress: '127.0.0.1:1', path: 'part-0' };
    let stopped = false;
    const hung: ResultSource = {
      resultLocations: async () => ({ jobId: 'job-5', parts: [part], outputUrl: '', outputFormat: '', partitions: 1 }),
      readPart: async function* () {
        try {
          yield ['first', 1] as [Key, unknown];
          // A worker that stops answering after its first record.
          await new Promise<never>(() => undefined);
        } finally {
          stopped = true;
        }
      },
    };
    const place = { jobId: 'job-5', part, name: 'mr://job-5/0' };
    const got: unknown[] = [];
    const started = performance.now();
    const complete = await readResultPlace(hung, place, Date.now() + 300, (r) => got.push(r));
    const millis = performance.now() - started;
    assert.equal(complete, false);
    assert.deepEqual(got, [['first', 1]]);
    assert.ok(millis >= 250 && millis < 5_000, `${millis} ms`);
    // The read is dropped, not awaited: its generator is left at the hung await.
    assert.equal(stopped, false);
    const whole = memoryResults('job-6', 1, 7, []);
    const all: unknown[] = [];
    assert.equal(
      await readResultPlace(whole, { ...place, jobId: 'job-6' }, Date.now() + 10_000, (r) => all.push(r)),
      true,
    );
    assert.equal(all.length, 7);
  });
});
