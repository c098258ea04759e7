import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordFileReader, RecordFileWriter } from '../../proto/formats/index.js';
import type { RecordSource } from '../../proto/formats/index.js';
import { mergeSources } from '../../worker/index.js';
import { mulberry32 } from '../helpers/corpus.js';

type Rec = [key: Buffer, value: Buffer];

/**
 * An in-memory source that, like a file reader, hands out views into one scratch buffer it
 * overwrites on every next(): a merge that kept a stale view would see wrong bytes.
 */
class ScratchSource implements RecordSource {
  private i = -1;
  private scratch = Buffer.alloc(64);
  private k = Buffer.alloc(0);
  private v = Buffer.alloc(0);
  closed = 0;

  constructor(private readonly records: readonly Rec[]) {}

  get key(): Buffer {
    return this.k;
  }

  get value(): Buffer {
    return this.v;
  }

  next(): boolean {
    this.scratch.fill(0xee);
    if (++this.i >= this.records.length) return false;
    const [key, value] = this.records[this.i] as Rec;
    if (this.scratch.length < key.length + value.length) this.scratch = Buffer.alloc(key.length + value.length);
    key.copy(this.scratch, 0);
    value.copy(this.scratch, key.length);
    this.k = this.scratch.subarray(0, key.length);
    this.v = this.scratch.subarray(key.length, key.length + value.length);
    return true;
  }

  close(): void {
    this.closed++;
  }
}

function drain(source: RecordSource): Rec[] {
  const out: Rec[] = [];
  while (source.next()) out.push([Buffer.from(source.key), Buffer.from(source.value)]);
  return out;
}

/** Sorted runs over a small key alphabet (so keys repeat within and across runs); values say where a record came from. */
function randomRuns(rand: () => number): Rec[][] {
  const runs: Rec[][] = [];
  const count = Math.floor(rand() * 12);
  for (let r = 0; r < count; r++) {
    const n = rand() < 0.25 ? 0 : Math.floor(rand() * 60);
    const run: Rec[] = [];
    for (let i = 0; i < n; i++) {
      const len = Math.floor(rand() * 3);
      let key = '';
      for (let c = 0; c < len; c++) key += 'abc'[Math.floor(rand() * 3)];
      run.push([Buffer.from(key), Buffer.from(`${r}:${i}`)]);
    }
    // Array#sort is stable, so within a run equal keys stay in index order.
    run.sort((a, b) => Buffer.compare(a[0], b[0]));
    runs.push(run);
  }
  return runs;
}

test('merging random sorted runs (empty runs, duplicate keys) equals a stable reference sort', () => {
  const rand = mulberry32(42);
  for (let trial = 0; trial < 300; trial++) {
    const runs = randomRuns(rand);
    const expected = runs.flat().sort((a, b) => Buffer.compare(a[0], b[0]));
    const sources = runs.map((run) => new ScratchSource(run));
    const merged = mergeSources(sources);
    assert.deepEqual(drain(merged), expected, `trial ${trial}`);
    assert.equal(merged.next(), false);
    merged.close();
    for (const s of sources) assert.equal(s.closed, 1);
  }
});

test('merging runs of long keys with shared prefixes, NUL and 0xff bytes equals a stable reference sort', () => {
  const rand = mulberry32(9);
  const bytes = [0x00, 0x01, 0x7f, 0x80, 0xff];
  for (let trial = 0; trial < 100; trial++) {
    const runs: Rec[][] = Array.from({ length: 1 + Math.floor(rand() * 9) }, (_, r) => {
      const run: Rec[] = Array.from({ length: Math.floor(rand() * 80) }, (_, i) => {
        // Lengths around the 8-byte prefix, and a common head so that prefixes often tie.
        const length = Math.floor(rand() * 14);
        const key = Buffer.from(
          Array.from({ length }, (_, c) =>
            c < 6 && rand() < 0.8 ? 0x41 : (bytes[Math.floor(rand() * bytes.length)] as number),
          ),
        );
        return [key, Buffer.from(`${r}:${i}`)];
      });
      return run.sort((a, b) => Buffer.compare(a[0], b[0]));
    });
    const expected = runs.flat().sort((a, b) => Buffer.compare(a[0], b[0]));
    assert.deepEqual(drain(mergeSources(runs.map((run) => new ScratchSource(run)))), expected, `trial ${trial}`);
    // The same runs as record files (keys compared in the readers' buffers), the first
    // one left in memory so both kinds of source meet in one heap.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-kway-prefix-'));
    try {
      const sources = runs.map((run, i): RecordSource => {
        if (i === 0) return new ScratchSource(run);
        const file = path.join(dir, `run-${i}.data`);
        const writer = RecordFileWriter.create(file);
        for (const [k, v] of run) writer.write(k, v);
        writer.close();
        return RecordFileReader.open(file, 0, undefined, { blockBytes: 7 });
      });
      const merged = mergeSources(sources);
      assert.deepEqual(drain(merged), expected, `trial ${trial}, record files`);
      merged.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('ties go to the lower source index', () => {
  const k = Buffer.from('k');
  const sources = [2, 0, 1].map(
    (tag) =>
      new ScratchSource([
        [k, Buffer.from(`s${tag}-a`)],
        [k, Buffer.from(`s${tag}-b`)],
      ]),
  );
  const values = drain(mergeSources(sources)).map(([, v]) => v.toString());
  assert.deepEqual(values, ['s2-a', 's2-b', 's0-a', 's0-b', 's1-a', 's1-b']);
});

test('no sources, one source', () => {
  assert.equal(mergeSources([]).next(), false);
  const one = new ScratchSource([[Buffer.from('x'), Buffer.from('1')]]);
  assert.deepEqual(drain(mergeSources([one])), [[Buffer.from('x'), Buffer.from('1')]]);
});

test('merges record files read with tiny blocks', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-kway-'));
  try {
    const rand = mulberry32(7);
    const runs = randomRuns(rand).concat(randomRuns(rand));
    const files = runs.map((run, i) => {
      const file = path.join(dir, `run-${i}.data`);
      const writer = RecordFileWriter.create(file);
      for (const [k, v] of run) writer.write(k, v);
      writer.close();
      return file;
    });
    const expected = runs.flat().sort((a, b) => Buffer.compare(a[0], b[0]));
    const merged = mergeSources(files.map((f) => RecordFileReader.open(f, 0, undefined, { blockBytes: 5 })));
    assert.deepEqual(drain(merged), expected);
    merged.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('copyCurrentTo copies the merged records whole from record files, and by key and value from other sources', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-kway-copy-'));
  try {
    const rand = mulberry32(8);
    const runs = randomRuns(rand).concat(randomRuns(rand));
    const files = runs.map((run, i) => {
      const file = path.join(dir, `run-${i}.data`);
      const writer = RecordFileWriter.create(file);
      for (const [k, v] of run) writer.write(k, v);
      writer.close();
      return file;
    });
    const expected = runs
      .flat()
      .concat(runs[0] as Rec[])
      .sort((a, b) => Buffer.compare(a[0], b[0]));
    // Record files read with tiny blocks, plus one in-memory source that cannot copy whole.
    const sources: RecordSource[] = files.map((f) => RecordFileReader.open(f, 0, undefined, { blockBytes: 5 }));
    sources.push(new ScratchSource(runs[0] as Rec[]));
    const merged = mergeSources(sources);
    assert.ok(merged.copyCurrentTo);
    const out = path.join(dir, 'merged.data');
    const writer = RecordFileWriter.create(out, { bufferBytes: 64 });
    while (merged.next()) merged.copyCurrentTo(writer);
    writer.close();
    merged.close();
    assert.deepEqual(drain(RecordFileReader.open(out)), expected);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
