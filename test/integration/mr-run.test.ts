import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { spawn } from 'node:child_process';
import { MR, ROOT, runMr } from '../helpers/cli.js';
import type { MrResult } from '../helpers/cli.js';
import { writeCorpus } from '../helpers/corpus.js';
import { parseJsonl, referenceWordCount } from '../helpers/reference.js';
import { partTexts } from '../helpers/part-files.js';

/** A user's mistake ends with one line on stderr and no stack trace. */
function assertOneLineError(r: MrResult, pattern: RegExp): void {
  assert.notEqual(r.code, 0, `expected failure, got exit 0; stdout: ${r.stdout.slice(0, 200)}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0] as string, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'stack trace on stderr');
}

function textResults(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const tab = line.lastIndexOf('\t');
    const word = line.slice(0, tab);
    assert.ok(!out.has(word), `duplicate word ${word}`);
    out.set(word, Number(line.slice(tab + 1)));
  }
  return out;
}

describe('mr run (embedded cluster)', () => {
  let dir: string;
  let files: string[];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-run-test-'));
    files = writeCorpus(path.join(dir, 'corpus'), 12, 4000, 7);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('counts words exactly like an independent count', async () => {
    const r = await runMr(['run', 'jobs/wordcount.ts', '--input', ...files, '--chunk-size', '8KiB', '--slots', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(textResults(r.stdout), referenceWordCount(files));
  });

  it('stops quietly when the reader of its output goes away (mr run | head)', async () => {
    // The reader takes one line and closes the pipe, as `head -1` does.
    const child = spawn(process.execPath, [MR, 'run', 'jobs/wordcount.ts', '--input', ...files, '--slots', '2'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|at .*\.js:\d+/);
  });

  it('writes jsonl and part files with --output', async () => {
    const out = path.join(dir, 'out');
    const r = await runMr([
      'run',
      'jobs/wordcount.ts',
      '--input',
      path.join(dir, 'corpus'),
      '--partitions',
      '3',
      '--format',
      'jsonl',
      '--output',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual(fs.readdirSync(out).sort(), ['_SUCCESS', 'part-00000', 'part-00001', 'part-00002']);
    const merged = partTexts(out).join('');
    assert.deepEqual(parseJsonl(merged), new Map(referenceWordCount(files)));
  });

  it('spills when the intermediate data is ten times the sort buffer, and still counts right', async () => {
    // 64 KiB sort buffer; the corpus emits well over 640 KiB of (word, 1) records without a combiner.
    const r = await runMr([
      'run',
      'test/fixtures/wordcount-no-combiner.ts',
      '--input',
      ...files,
      '--sort-buffer-mb',
      '0.0625',
      '--slots',
      '1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(textResults(r.stdout), referenceWordCount(files));
  });

  it('counts right with a binary-fold combiner through many table flushes and spills', async () => {
    // jobs/wordcount.ts combines with (a, b) => a + b: with a 64 KiB sort buffer its running
    // table flushes and the sort buffer spills many times, so the fold also runs on bytes.
    const r = await runMr([
      'run',
      'jobs/wordcount.ts',
      '--input',
      ...files,
      '--sort-buffer-mb',
      '0.0625',
      '--slots',
      '1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(textResults(r.stdout), referenceWordCount(files));
  });

  it('passes records through a job without reduce unchanged, in key order, printed by the contract', async () => {
    const input = path.join(dir, 'pairs.jsonl');
    const pairs = [
      ['b', 'plain'],
      [2, { x: [1, 'y'] }],
      ['a\u0000b', 'nul key'],
      [null, 1.5],
      ['é', 'naïve 😀'],
      [['t', 1], null],
      ['b', 'second b'],
      [true, [1, 2]],
      ['tab\tkey', ''],
    ];
    fs.writeFileSync(input, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
    // Key order: null < true < numbers < strings (by code point) < arrays; equal keys in input order.
    const text = [
      'null\t1.5',
      'true\t[1,2]',
      '2\t{"x":[1,"y"]}',
      'a\u0000b\tnul key',
      'b\tplain',
      'b\tsecond b',
      'tab\tkey\t',
      'é\tnaïve 😀',
      '["t",1]\tnull',
    ];
    const r = await runMr(['run', 'test/fixtures/emit-json-pairs.ts', '--input', input]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, text.join('\n') + '\n');
    const out = path.join(dir, 'pairs-out');
    const j = await runMr([
      'run',
      'test/fixtures/emit-json-pairs.ts',
      '--input',
      input,
      '--format',
      'jsonl',
      '--output',
      out,
    ]);
    assert.equal(j.code, 0, j.stderr);
    const lines = fs.readFileSync(path.join(out, 'part-00000'), 'utf8').trimEnd().split('\n');
    // Printed to stdout, the same bytes as the part file.
    const printed = await runMr(['run', 'test/fixtures/emit-json-pairs.ts', '--input', input, '--format', 'jsonl']);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, fs.readFileSync(path.join(out, 'part-00000'), 'utf8'));
    assert.deepEqual(
      lines.map((l) => JSON.parse(l) as unknown),
      [
        [null, 1.5],
        [true, [1, 2]],
        [2, { x: [1, 'y'] }],
        ['a\u0000b', 'nul key'],
        ['b', 'plain'],
        ['b', 'second b'],
        ['tab\tkey', ''],
        ['é', 'naïve 😀'],
        [['t', 1], null],
      ],
    );
  });

  it('refuses a missing input before starting anything', async () => {
    assertOneLineError(
      await runMr(['run', 'jobs/wordcount.ts', '--input', path.join(dir, 'nope.txt')]),
      /input not found: .*nope\.txt/,
    );
  });

  it('refuses a missing job file', async () => {
    assertOneLineError(
      await runMr(['run', 'jobs/nope.ts', '--input', files[0] as string]),
      /nope\.ts: job file not found/,
    );
  });

  it('refuses a job file that does not compile', async () => {
    const bad = path.join(dir, 'broken.ts');
    fs.writeFileSync(bad, 'export default {\n  map(line: string, emit) { emit(line, 1) \n');
    assertOneLineError(
      await runMr(['run', bad, '--input', files[0] as string]),
      /broken\.ts: does not compile: \d+:\d+: /,
    );
  });

  it('refuses a job file without a map', async () => {
    const bad = path.join(dir, 'nomap.ts');
    fs.writeFileSync(bad, 'export default { name: "nomap", reduce() {} };\n');
    assertOneLineError(await runMr(['run', bad, '--input', files[0] as string]), /nomap\.ts: has no map function/);
  });

  it("fails with the user's message, the task and the input when map throws", async () => {
    const input = path.join(dir, 'boom.txt');
    fs.writeFileSync(input, 'fine\nalso fine\nboom here\n');
    const r = await runMr(['run', 'test/fixtures/throws-in-map.ts', '--input', input]);
    assertOneLineError(r, /failed: map-00000 \(input .*boom\.txt.*\): .*exploded on purpose at "boom here"/);
  });

  it("fails with the user's message and the partition when reduce throws", async () => {
    const input = path.join(dir, 'boom2.txt');
    fs.writeFileSync(input, 'a\nboom\nb\n');
    const r = await runMr(['run', 'test/fixtures/throws-in-reduce.ts', '--input', input]);
    assertOneLineError(r, /failed: reduce-0000\d \(partition \d\): .*TypeError: reduce refused key boom/);
  });

  describe('values MessagePack cannot carry', () => {
    let input: string;
    before(() => {
      input = path.join(dir, 'unstorable.txt');
      fs.writeFileSync(input, 'a\nbad\nb\n');
    });
    const run = (job: string, kind: string, stage = 'map'): Promise<MrResult> =>
      runMr([
        'run',
        `test/fixtures/${job}.ts`,
        '--input',
        input,
        '--param',
        `kind=${kind}`,
        '--param',
        `stage=${stage}`,
        '--max-attempts',
        '1',
      ]);
    const cases: [string, string, string, RegExp][] = [
      [
        'emits-unstorable',
        'function',
        'map',
        /map threw on record 2 of the chunk: .*key "bad" cannot be stored: value is a function/,
      ],
      ['emits-unstorable', 'undefined', 'map', /key "bad" cannot be stored: value is undefined/],
      ['emits-unstorable', 'symbol-in-array', 'map', /key "bad" cannot be stored: value\[1\] is a Symbol/],
      ['emits-unstorable', 'nested-function', 'map', /key "bad" cannot be stored: value\.parts\[0\]\.f is a function/],
      ['emits-unstorable', 'undefined-property', 'map', /key "bad" cannot be stored: value\.b is undefined/],
      [
        'emits-unstorable-folded',
        'function',
        'map',
        /map threw on record 2 of the chunk: .*key "bad" cannot be stored: value is a function/,
      ],
      [
        'emits-unstorable',
        'nested-function',
        'reduce',
        /reduce threw on key "bad": .*key "bad" cannot be stored: value\.parts\[0\]\.f is a function/,
      ],
    ];
    for (const [job, kind, stage, pattern] of cases) {
      it(`refuses ${kind} emitted from ${stage}${job.endsWith('folded') ? ' through the in-map fold' : ''}, naming the key and the type`, async () => {
        assertOneLineError(await run(job, kind, stage), pattern);
      });
    }
  });

  it("keeps job code's console output and ctx.log off stdout, and shows them on stderr", async () => {
    const input = path.join(dir, 'noise.txt');
    fs.writeFileSync(input, 'x\ny\nx\n');
    const r = await runMr(['run', 'test/fixtures/console-noise.ts', '--input', input]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'x\t2\ny\t1\n');
    for (const expected of [
      'noise at load',
      'noise from map',
      'complaint from map',
      'raw noise from map',
      'ctx.log saw y',
      'reduced x',
    ]) {
      assert.ok(r.stderr.includes(expected), `stderr lacks ${expected}:\n${r.stderr}`);
    }
    // Tagged with job, task and attempt (and the worker).
    assert.match(
      r.stderr,
      /info \[job\] noise from map \{"worker":"[^"]+","job":"console-noise-[^"]+","task":"map-00000","attempt":0\}/,
    );
    assert.match(r.stderr, /warn \[job\] complaint from map /);
    const quiet = await runMr(['run', 'test/fixtures/console-noise.ts', '--input', input], {
      env: { GROOVE_LOG: 'error' },
    });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stdout, 'x\t2\ny\t1\n');
    assert.doesNotMatch(quiet.stderr, /\[job\]/);
  });

  it("names the user's file and line when job code throws, not the bundle's", async () => {
    const input = path.join(dir, 'boom3.txt');
    fs.writeFileSync(input, 'fine\nboom here\n');
    const r = await runMr(['run', 'test/fixtures/throws-on-line-9.ts', '--input', input, '--max-attempts', '1']);
    assertOneLineError(r, /thrown on line 9 \(at test\/fixtures\/throws-on-line-9\.ts:9\)$/);
  });

  describe('inputs that are not text', () => {
    const text = 'one line\nanother line\n';
    const inputs: [string, Buffer, RegExp][] = [
      // gzip and zstd data are decompressed when the name says so (.gz, .zst), and named otherwise.
      ['data.gzipped', zlib.gzipSync(text), /is gzip-compressed, not text: name it with a \.gz ending/],
      [
        'data.zstd-compressed',
        Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from(text)]),
        /is zstd-compressed, not text: name it with a \.zst ending/,
      ],
      [
        'data.lz4',
        Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18]), Buffer.from(text)]),
        /is lz4-compressed, not text/,
      ],
      ['data.bz2', Buffer.concat([Buffer.from('BZh9'), Buffer.from(text)]), /is bzip2-compressed, not text/],
      [
        'data.xz',
        Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.from(text)]),
        /is xz-compressed, not text/,
      ],
      [
        'data.zip',
        Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(text)]),
        /is a zip archive, not text/,
      ],
      [
        'data.bin',
        Buffer.concat([Buffer.from('text first\n'), Buffer.from([0x00, 0x01, 0x02]), Buffer.from('\nmore\n')]),
        /is binary \(a NUL byte at offset 11\), not text/,
      ],
    ];
    for (const [name, bytes, pattern] of inputs) {
      it(`refuses ${name} with one line naming it, and reads it with binaryText`, async () => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, bytes);
        const r = await runMr(['run', 'jobs/wordcount.ts', '--input', file]);
        assertOneLineError(
          r,
          new RegExp(`input ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} ${pattern.source}.*binaryText: true`),
        );
        const opted = await runMr(['run', 'test/fixtures/counts-binary-lines.ts', '--input', file]);
        assert.equal(opted.code, 0, opted.stderr);
        assert.match(opted.stdout, /^lines\t\d+\n$/);
      });
    }
  });

  it('gives a usage error for an unknown option', async () => {
    assertOneLineError(
      await runMr(['run', 'jobs/wordcount.ts', '--input', files[0] as string, '--bogus']),
      /Unknown argument/,
    );
  });
});
