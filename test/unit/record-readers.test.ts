import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { BAD_RECORDS_COUNTER, defineJob } from '../../sdk/index.js';
import { BadInputError, readPiece } from '../../worker/index.js';
import type { AnyJob } from '../../worker/index.js';
import { asReadBy } from '../../master/index.js';
import { closestName } from '../../common/index.js';

/** A real task context's parts a piece reader uses: counters and a log, recorded. */
function context(): { ctx: Parameters<typeof readPiece>[2]; warnings: string[] } {
  const warnings: string[] = [];
  const counterValues: Record<string, number> = {};
  const ctx = {
    params: {},
    input: '',
    taskId: 'map-00000',
    attempt: 0,
    counterValues,
    counters: { increment: (name: string, by = 1) => void (counterValues[name] = (counterValues[name] ?? 0) + by) },
    log: { info: () => undefined, warn: (m: string) => void warnings.push(m) },
  };
  return { ctx, warnings };
}

/** Reads a piece of `file` with a job of `options`; resolves with the records and the context. */
async function read(
  file: string,
  options: Partial<AnyJob>,
  range: { start: number; length: number } = { start: 0, length: fs.statSync(file).size },
): Promise<{ records: unknown[]; counters: Record<string, number>; warnings: string[] }> {
  const job = { map: () => undefined, ...options } as AnyJob;
  const { ctx, warnings } = context();
  const records: unknown[] = [];
  await readPiece({ path: file, ...range }, job, ctx, (r) => records.push(r));
  return { records, counters: ctx.counterValues, warnings };
}

/** Asserts a promise fails with a one-line BadInputError whose message matches. */
async function rejectsOneLine(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof BadInputError, String(err));
    assert.ok(!err.message.includes('\n'), err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('record readers', () => {
  let dir: string;
  const file = (name: string, data: string | Buffer): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, data);
    return p;
  };
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-readers-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('jsonl', () => {
    const lines = ['{"a":1}', '', '[1,"x"]', '{"a": oops}', '"s"', '{"a":'];
    it('fails at the first malformed line, naming the input, the line and the parse error', async () => {
      const p = file('bad.jsonl', lines.join('\n') + '\n');
      await rejectsOneLine(read(p, { reader: 'jsonl' }), new RegExp(`^input ${p}: line 4 is not JSON \\(.*\\): `));
    });
    it('numbers the line in the file in a chunk that starts past the first byte', async () => {
      const p = file('bad-late.jsonl', lines.join('\n') + '\n');
      const start = lines.slice(0, 2).join('\n').length + 2; // the chunk starts inside line 3
      await rejectsOneLine(
        read(p, { reader: 'jsonl' }, { start, length: fs.statSync(p).size - start }),
        /: line 4 is not JSON/,
      );
    });
    it('skips and counts malformed lines with onBadRecord: skip, and skips blank lines', async () => {
      const p = file('skip.jsonl', lines.join('\n'));
      const r = await read(p, { reader: 'jsonl', onBadRecord: 'skip' });
      assert.deepEqual(r.records, [{ a: 1 }, [1, 'x'], 's']);
      assert.equal(r.counters[BAD_RECORDS_COUNTER], 2);
      assert.equal(r.warnings.length, 1);
      assert.match(r.warnings[0] as string, /line 4 is not JSON/);
    });
    it('reads [key, value] lines with the records reader, a bad one refused', async () => {
      const p = file('pairs.jsonl', '["a",1]\n[["t",2],{"x":null}]\n');
      assert.deepEqual((await read(p, { reader: 'records' })).records, [
        ['a', 1],
        [['t', 2], { x: null }],
      ]);
      const bad = file('pairs-bad.jsonl', '["a",1]\n[1,2,3]\n');
      await rejectsOneLine(read(bad, { reader: 'records' }), /line 2 is not a \[key, value\] JSON array/);
    });
  });

  describe('csv', () => {
    const csv = 'id,name,note\r\n1,"Smith, Ann","line one\nline two"\r\n\r\n2,Bob,"say ""hi"""\r\n3,Eve\r\n4,Zed,z\r\n';
    it('gives rows keyed by the header, with quoted commas, quotes and line ends', async () => {
      const p = file('people.csv', '\ufeff' + csv.replace('3,Eve\r\n', ''));
      assert.deepEqual((await read(p, { reader: 'csv' })).records, [
        { id: '1', name: 'Smith, Ann', note: 'line one\nline two' },
        { id: '2', name: 'Bob', note: 'say "hi"' },
        { id: '4', name: 'Zed', note: 'z' },
      ]);
    });
    it('fails on a row with the wrong number of fields, naming its line', async () => {
      const p = file('short-row.csv', csv);
      await rejectsOneLine(
        read(p, { reader: 'csv' }),
        new RegExp(`^input ${p}: the record on line 6 has 2 fields, the header row 3$`),
      );
    });
    it('skips and counts bad rows with onBadRecord: skip', async () => {
      const p = file('skip-rows.csv', csv + '5,"unclosed\n');
      const r = await read(p, { reader: 'csv', onBadRecord: 'skip' });
      assert.deepEqual(
        r.records.map((row) => (row as Record<string, string>).id),
        ['1', '2', '4'],
      );
      assert.ok((r.counters[BAD_RECORDS_COUNTER] ?? 0) >= 1);
    });
    it('reads a gzip-compressed CSV file', async () => {
      const p = file('people.csv.gz', zlib.gzipSync(csv.replace('3,Eve\r\n', '')));
      assert.equal((await read(p, { reader: 'csv' })).records.length, 3);
    });
  });

  describe('compressed inputs', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`).join('\n') + '\nlast';
    it('gives a gzip (several members) and a zstd (several frames) file the plain file lines', async () => {
      const plain = (await read(file('plain.txt', text), {})).records;
      assert.equal(plain.length, 5001);
      const half = text.length >> 1;
      const gz = Buffer.concat([zlib.gzipSync(text.slice(0, half)), zlib.gzipSync(text.slice(half))]);
      assert.deepEqual((await read(file('multi.txt.gz', gz), {})).records, plain);
      const a = file('a.part', text.slice(0, half));
      const b = file('b.part', text.slice(half));
      const zst = Buffer.concat([execFileSync('zstd', ['-q', '-c', a]), execFileSync('zstd', ['-q', '-c', b])]);
      assert.deepEqual((await read(file('multi.txt.zst', zst), {})).records, plain);
    });
    it('refuses a file named .gz that is not gzip, corrupt gzip, and gzip of binary data, in one line', async () => {
      await rejectsOneLine(
        read(file('fake.gz', 'plain text\n'), {}),
        /fake\.gz is named as gzip-compressed but is text/,
      );
      const cut = zlib.gzipSync(text).subarray(0, 200);
      await rejectsOneLine(read(file('cut.gz', cut), {}), /cut\.gz: its gzip data is corrupt or cut short/);
      const binary = zlib.gzipSync(Buffer.from([1, 2, 0, 3]));
      await rejectsOneLine(read(file('bin.gz', binary), {}), /bin\.gz is gzip data that is binary \(a NUL byte/);
    });
    it('refuses unknown codecs and binary files at the first record, naming the codec', async () => {
      const cases: [string, Buffer, RegExp][] = [
        ['x.bz2', execFileSync('bzip2', ['-c'], { input: text }), /is bzip2-compressed, not text/],
        ['x.xz', execFileSync('xz', ['-c'], { input: text }), /is xz-compressed, not text/],
        ['x.lz4', execFileSync('lz4', ['-c'], { input: text }), /is lz4-compressed, not text/],
        ['x.7z', Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), /is a 7z archive, not text/],
        ['x.bin', Buffer.from('ok\n\u0000\u0001'), /is binary \(a NUL byte at offset 3\), not text/],
        ['gzip-named-oddly', zlib.gzipSync(text), /is gzip-compressed, not text: name it with a \.gz ending/],
      ];
      for (const [name, bytes, pattern] of cases) {
        const p = file(name, bytes);
        for (const reader of ['lines', 'csv'] as const) await rejectsOneLine(read(p, { reader }), pattern);
      }
    });
  });

  describe('what the master cuts', () => {
    it('reads compressed files whole for any reader, every CSV file whole, and refuses text readers over mr://', () => {
      const files = [
        { path: '/d/a.txt', size: 10 },
        { path: '/d/b.txt.GZ', size: 10 },
        { path: 'https://h/c.zst?x=1', size: 10 },
      ];
      assert.deepEqual(
        asReadBy(files, undefined).map((f) => f.splittable !== false),
        [true, false, false],
      );
      assert.deepEqual(
        asReadBy(files, 'csv').map((f) => f.splittable !== false),
        [false, false, false],
      );
      const part = { path: 'mr://wc-1/0', size: 5, splittable: false, result: { jobId: 'wc-1' } as never };
      assert.equal(asReadBy([part], 'records').length, 1);
      assert.equal(asReadBy([part], undefined).length, 1);
      assert.throws(
        () => asReadBy([part], 'csv'),
        /input mr:\/\/wc-1\/0 gives \[key, value\] records, but the job's reader is csv/,
      );
    });
  });
});

describe('defineJob options', () => {
  it('refuses an unknown option with the closest known one, in one line', () => {
    const map = (): void => undefined;
    const reduce = (): void => undefined;
    for (const [options, hint] of [
      [{ map, reducer: reduce }, 'unknown option reducer in defineJob: did you mean reduce?'],
      [{ map, partiton: 3 }, 'unknown option partiton in defineJob: did you mean partition?'],
      [{ map, Reader: 'csv' }, 'unknown option Reader in defineJob: did you mean reader?'],
      [{ map, zzz: 1 }, 'unknown option zzz in defineJob: known options: name, reader,'],
    ] as const) {
      assert.throws(
        () => defineJob(options as never),
        (err: unknown) => err instanceof TypeError && err.message.startsWith(hint),
      );
    }
    assert.throws(
      () => defineJob({ map, reader: 'xml' } as never),
      /reader must be one of lines, jsonl, csv, records, got "xml"/,
    );
    assert.throws(() => defineJob({ map, onBadRecord: 'ignore' } as never), /onBadRecord must be one of fail, skip/);
    assert.equal(closestName('combiner', ['combine', 'map']), 'combine');
  });

  it("types map's record by the reader", () => {
    const csv = defineJob<string, number>({ reader: 'csv', map: (row, emit) => emit(row.id ?? '', 1) });
    const jsonl = defineJob<string, number, string, number, { n: number }>({
      reader: 'jsonl',
      map: (rec, emit) => emit('n', rec.n),
    });
    const lines = defineJob<string, number>({ map: (line, emit) => emit(line.trim(), 1) });
    // @ts-expect-error a csv reader gives objects, not strings
    defineJob<string, number>({ reader: 'csv', map: (line: string, emit) => emit(line, 1) });
    // @ts-expect-error the records reader gives [key, value] records
    defineJob({ reader: 'records', map: (line: string) => void line });
    assert.deepEqual([csv.reader, jsonl.reader, lines.reader], ['csv', 'jsonl', undefined]);
  });
});
