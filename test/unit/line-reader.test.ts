import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { splitInputs } from '../../master/index.js';
import { DEFAULT_LINE_READ_BLOCK_SIZE, lineReadBlockSize, readLines } from '../../worker/index.js';
import type { LineReadResult } from '../../worker/index.js';
import { mulberry32 } from '../helpers/corpus.js';

let dir = '';
let fileCount = 0;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-line-reader-'));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `text` as UTF-8 to a fresh temp file and returns its path. */
function writeTemp(text: string): string {
  const file = path.join(dir, `input-${fileCount++}.txt`);
  fs.writeFileSync(file, text, 'utf8');
  return file;
}

/** The records a text file must yield: split on '\n', one trailing '\r' dropped per line. */
function expectedRecords(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

interface Collected extends LineReadResult {
  readonly lines: string[];
}

async function collect(file: string, start: number, length: number, blockSize?: number): Promise<Collected> {
  const lines: string[] = [];
  const result = await readLines(file, start, length, (line) => lines.push(line), blockSize);
  assert.equal(result.records, lines.length);
  return { ...result, lines };
}

/** Reads every split of a file in turn, checking that bytesRead adds up to the file size. */
async function readAllSplits(file: string, chunkSize: number, blockSize?: number): Promise<string[]> {
  const size = fs.statSync(file).size;
  const lines: string[] = [];
  let bytes = 0;
  for (const { pieces } of splitInputs([{ path: file, size }], chunkSize)) {
    const [split] = pieces;
    assert.ok(split && pieces.length === 1);
    const part = await collect(split.path, split.start, split.length, blockSize);
    lines.push(...part.lines);
    bytes += part.bytesRead;
  }
  assert.equal(bytes, size, `bytesRead over all splits, chunkSize ${chunkSize}`);
  return lines;
}

// One- to four-byte UTF-8 characters, and a stray '\r' that is not part of a line end.
const ALPHABET = ['a', 'b', 'x', ' ', '\t', 'é', '€', '😀', '\r'];

function randomText(rand: () => number): string {
  const int = (n: number): number => Math.floor(rand() * n);
  const lineCount = int(25);
  let text = '';
  for (let i = 0; i < lineCount; i++) {
    const roll = rand();
    const len = roll < 0.25 ? 0 : roll < 0.9 ? int(12) : 20 + int(60);
    for (let j = 0; j < len; j++) text += ALPHABET[int(ALPHABET.length)] ?? '';
    const last = i === lineCount - 1;
    if (!last || rand() < 0.5) text += rand() < 0.3 ? '\r\n' : '\n';
  }
  return text;
}

test('property: every record is read exactly once whatever the chunk and block sizes', async () => {
  const seed = 20240611;
  const rand = mulberry32(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  for (let iteration = 0; iteration < 300; iteration++) {
    const text = randomText(rand);
    const file = writeTemp(text);
    const bytes = Buffer.from(text, 'utf8');
    const expected = expectedRecords(text);

    const chunkSizes = [1 + int(bytes.length + 2), 1 + int(8)];
    const newlines: number[] = [];
    for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) newlines.push(i);
    const nl = newlines[int(newlines.length)];
    // A chunk that starts exactly on a '\n', and one that starts right after it.
    if (nl !== undefined && nl > 0) chunkSizes.push(nl, nl + 1);
    if (iteration % 10 === 0) chunkSizes.push(1);

    for (const chunkSize of chunkSizes) {
      const blockSize = rand() < 0.2 ? undefined : 1 + int(16);
      assert.deepEqual(
        await readAllSplits(file, chunkSize, blockSize),
        expected,
        `seed ${seed}, iteration ${iteration}, chunkSize ${chunkSize}, blockSize ${String(blockSize)}, text ${JSON.stringify(text)}`,
      );
    }
  }
});

test('property: a cut at any byte offset gives each record to exactly one side', async () => {
  const rand = mulberry32(7);
  for (let iteration = 0; iteration < 40; iteration++) {
    const text = randomText(rand);
    const file = writeTemp(text);
    const size = Buffer.byteLength(text);
    const expected = expectedRecords(text);
    for (let cut = 0; cut <= size; cut++) {
      const blockSize = 1 + (cut % 9);
      const left = await collect(file, 0, cut, blockSize);
      const right = await collect(file, cut, size - cut, blockSize);
      const message = `iteration ${iteration}, cut ${cut}, text ${JSON.stringify(text)}`;
      assert.deepEqual([...left.lines, ...right.lines], expected, message);
      assert.equal(left.bytesRead + right.bytesRead, size, message);
    }
  }
});

test('CRLF line ends are stripped, blank CRLF lines are empty records', async () => {
  const file = writeTemp('a\r\nb\r\n\r\nc\r\n');
  assert.deepEqual((await collect(file, 0, 100)).lines, ['a', 'b', '', 'c']);
  assert.deepEqual(await readAllSplits(file, 1), ['a', 'b', '', 'c']);
  // Only the '\r' of the line end goes; one inside the line is data.
  assert.deepEqual((await collect(writeTemp('a\rb\r\r\n'), 0, 7)).lines, ['a\rb\r']);
});

test('a last line without a final newline is still a record', async () => {
  assert.deepEqual((await collect(writeTemp('x\ny'), 0, 3)).lines, ['x', 'y']);
  assert.deepEqual((await collect(writeTemp('x\ny\r'), 0, 4)).lines, ['x', 'y']);
  assert.deepEqual((await collect(writeTemp('only'), 0, 4)).lines, ['only']);
});

test('a final newline does not add an empty record, blank lines in the middle do count', async () => {
  assert.deepEqual((await collect(writeTemp('x\ny\n'), 0, 4)).lines, ['x', 'y']);
  assert.deepEqual((await collect(writeTemp('\n'), 0, 1)).lines, ['']);
  assert.deepEqual((await collect(writeTemp('\n\n\n'), 0, 3)).lines, ['', '', '']);
  assert.deepEqual((await collect(writeTemp('a\n\n\nb\n'), 0, 6)).lines, ['a', '', '', 'b']);
});

test('an empty file gives one split and no records', async () => {
  const file = writeTemp('');
  const splits = splitInputs([{ path: file, size: 0 }], 64);
  assert.equal(splits.length, 1);
  const [split] = splits[0]?.pieces ?? [];
  assert.ok(split);
  assert.deepEqual(await collect(file, split.start, split.length), {
    records: 0,
    bytesRead: 0,
    replacedChars: 0,
    lines: [],
  });
});

test('a split of length 0, or past the end of the file, owns no records', async () => {
  const file = writeTemp('abc\ndef\n');
  assert.deepEqual((await collect(file, 0, 0)).lines, []);
  assert.deepEqual((await collect(file, 4, 0)).lines, []);
  assert.deepEqual((await collect(file, 2, 0)).lines, []);
  assert.deepEqual((await collect(file, 8, 10)).lines, []);
  assert.deepEqual((await collect(file, 100, 10)).lines, []);
});

test('a split starting at a line start owns that line; one starting inside it does not', async () => {
  const file = writeTemp('abc\ndef\nghi');
  assert.deepEqual((await collect(file, 4, 1)).lines, ['def']);
  // Starting on the '\n' of 'abc': that byte is part of 'abc', 'def' begins one later.
  assert.deepEqual((await collect(file, 3, 1)).lines, []);
  assert.deepEqual((await collect(file, 3, 2)).lines, ['def']);
  assert.deepEqual((await collect(file, 5, 3)).lines, []);
  assert.deepEqual((await collect(file, 5, 4)).lines, ['ghi']);
  assert.deepEqual((await collect(file, 0, 1)).lines, ['abc']);
});

test('bytesRead counts the bytes of the owned records, line ends included', async () => {
  const file = writeTemp('ab\r\ncd\nef');
  assert.deepEqual(await collect(file, 0, 5), { records: 2, bytesRead: 7, replacedChars: 0, lines: ['ab', 'cd'] });
  assert.deepEqual(await collect(file, 5, 4), { records: 1, bytesRead: 2, replacedChars: 0, lines: ['ef'] });
});

test('a record longer than the chunk and the block is read whole by the split it starts in', async () => {
  const long = 'L'.repeat(500) + '€'.repeat(100) + 'Z';
  const text = `head\n${long}\r\nmid\n${long}`;
  const file = writeTemp(text);
  const expected = ['head', long, 'mid', long];
  for (const blockSize of [1, 2, 7, 64, undefined]) {
    assert.deepEqual(await readAllSplits(file, 10, blockSize), expected, `blockSize ${String(blockSize)}`);
    assert.deepEqual(await readAllSplits(file, 3, blockSize), expected, `blockSize ${String(blockSize)}`);
  }
  // The split where the long line starts gets it all; the splits inside it get nothing.
  assert.deepEqual((await collect(file, 5, 10, 7)).lines, [long]);
  assert.deepEqual((await collect(file, 20, 10, 7)).lines, []);
});

test('multi-byte UTF-8 characters cut by block and chunk boundaries decode intact', async () => {
  const line = 'é€😀ü'.repeat(5);
  const text = `${line}\n${line}\n${line}`;
  const file = writeTemp(text);
  for (let blockSize = 1; blockSize <= 12; blockSize++) {
    assert.deepEqual((await collect(file, 0, Buffer.byteLength(text), blockSize)).lines, [line, line, line]);
    assert.deepEqual(await readAllSplits(file, 1 + blockSize * 5, blockSize), [line, line, line]);
  }
});

test('a missing file rejects with the Node error', async () => {
  await assert.rejects(
    () => readLines(path.join(dir, 'no-such-file'), 0, 10, () => undefined),
    (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT',
  );
});

test('an error thrown by onLine propagates', async () => {
  const file = writeTemp('a\nb\n');
  await assert.rejects(
    () =>
      readLines(file, 0, 4, () => {
        throw new Error('boom');
      }),
    /boom/,
  );
});

test('bad start, length or blockSize is a RangeError naming the argument', async () => {
  const file = writeTemp('a\n');
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['start', () => readLines(file, -1, 1, () => undefined)],
    ['start', () => readLines(file, 0.5, 1, () => undefined)],
    ['length', () => readLines(file, 0, -1, () => undefined)],
    ['length', () => readLines(file, 0, Number.NaN, () => undefined)],
    ['blockSize', () => readLines(file, 0, 1, () => undefined, 0)],
    ['blockSize', () => readLines(file, 0, 1, () => undefined, 1.5)],
  ];
  for (const [name, call] of cases) {
    await assert.rejects(call, (err: unknown) => err instanceof RangeError && err.message.startsWith(name));
  }
});

test('lineReadBlockSize: a small split gets a small block, which still reads a last line far past it', async () => {
  assert.equal(lineReadBlockSize(100_000_000), DEFAULT_LINE_READ_BLOCK_SIZE);
  const small = lineReadBlockSize(10);
  assert.ok(small > 10 && small < 16 * 1024, `block for 10 bytes: ${small}`);
  const long = 'y'.repeat(3 * small);
  const text = `a b\nc ${long}\nnext\n`;
  const file = writeTemp(text);
  assert.deepEqual((await collect(file, 0, 6, lineReadBlockSize(6))).lines, ['a b', `c ${long}`]);
  // A split starting inside the long line skips all of it, through the small block.
  assert.deepEqual((await collect(file, 10, text.length - 10, lineReadBlockSize(10))).lines, ['next']);
});

test('invalid UTF-8 reads as U+FFFD and is counted exactly once over all splits, whatever the chunk and block sizes', async () => {
  // Bad bytes (a lone 0xff, a cut 3-byte sequence, an overlong form) among valid text that
  // holds a real U+FFFD, which is not counted.
  const random = mulberry32(41);
  const pieces: Buffer[] = [];
  for (let i = 0; i < 400; i++) {
    const r = random();
    if (r < 0.1) pieces.push(Buffer.from([0xff]));
    else if (r < 0.15) pieces.push(Buffer.from([0xe6, 0x9d]));
    else if (r < 0.2) pieces.push(Buffer.from([0xc0, 0xaf]));
    else if (r < 0.25) pieces.push(Buffer.from('real \ufffd '));
    else pieces.push(Buffer.from(r < 0.6 ? 'word ' : 'naïve 東京\n'));
  }
  const bytes = Buffer.concat(pieces);
  const file = path.join(dir, `invalid-${fileCount++}.txt`);
  fs.writeFileSync(file, bytes);
  const real = (bytes.toString('latin1').match(/\u00ef\u00bf\u00bd/g) ?? []).length;
  const expected = (bytes.toString('utf8').match(/\ufffd/g) ?? []).length - real;
  assert.ok(expected > 50 && real > 0);
  for (const chunkSize of [7, 100, 1000, bytes.length]) {
    for (const blockSize of [8, 33, 4096]) {
      let replaced = 0;
      const lines: string[] = [];
      for (const { pieces } of splitInputs([{ path: file, size: bytes.length }], chunkSize)) {
        const [split] = pieces;
        assert.ok(split && pieces.length === 1);
        const part = await collect(split.path, split.start, split.length, blockSize);
        replaced += part.replacedChars;
        lines.push(...part.lines);
      }
      assert.equal(replaced, expected, `chunk ${chunkSize}, block ${blockSize}`);
      assert.deepEqual(lines, expectedRecords(bytes.toString('utf8')));
    }
  }
  const valid = writeTemp('naïve \ufffd\n東京\n');
  assert.equal((await collect(valid, 0, 100, 4)).replacedChars, 0);
});

test('a split of length Infinity (an input of unknown size) reads every record to the end of the file', async () => {
  const text = 'one\ntwo\r\n\nthree';
  const file = writeTemp(text);
  const all = await collect(file, 0, Infinity, 4);
  assert.deepEqual(all.lines, expectedRecords(text));
  assert.equal(all.bytesRead, Buffer.byteLength(text));
  assert.equal(lineReadBlockSize(Infinity), DEFAULT_LINE_READ_BLOCK_SIZE);
});

test('a head check sees the file’s first bytes (all of a shorter file) once, before any line', async () => {
  const rand = mulberry32(77);
  const WANT = 64 * 1024;
  for (const size of [0, 1, 100, 5000, WANT - 1, WANT, WANT + 1, 300_000]) {
    let text = '';
    while (text.length < size) text += `${'w'.repeat(Math.floor(rand() * 90))}\n`;
    text = text.slice(0, size);
    const file = writeTemp(text);
    const bytes = fs.readFileSync(file);
    // Whole files with the block the map task uses, and chunks at 0 smaller than the look
    // (the block must grow), with blocks of a few bytes (many short reads).
    const cases: [length: number, blockSize: number][] = [
      [size, lineReadBlockSize(size)],
      [Math.min(size, 1000), 64],
      [size, 7],
    ];
    for (const [length, blockSize] of cases) {
      const seen: Buffer[] = [];
      let linesBefore = -1;
      const lines: string[] = [];
      const head = {
        bytes: WANT,
        check: (h: Buffer): void => {
          linesBefore = lines.length;
          seen.push(Buffer.from(h));
        },
      };
      await readLines(file, 0, length, (l) => lines.push(l), blockSize, head);
      const where = `${size} bytes, chunk of ${length}, block ${blockSize}`;
      // A chunk owns the lines that start inside it, the last one read to its end (ASCII: chars are bytes).
      const owned: string[] = [];
      let at = 0;
      for (const line of expectedRecords(text)) {
        if (at < length) owned.push(line);
        at += line.length + 1;
      }
      assert.deepEqual(lines, owned, where);
      if (length === 0) {
        assert.equal(seen.length, 0, `${where}: nothing read, nothing to look at`);
        continue;
      }
      assert.equal(seen.length, 1, where);
      assert.equal(linesBefore, 0, `${where}: the look comes before the first line`);
      assert.ok((seen[0] as Buffer).equals(bytes.subarray(0, Math.min(size, WANT))), where);
    }
  }
  const bad = writeTemp('fine\nbinary\0here\n');
  const lines: string[] = [];
  const refuse = {
    bytes: WANT,
    check: (h: Buffer): void => {
      if (h.includes(0)) throw new Error('not text');
    },
  };
  await assert.rejects(
    readLines(bad, 0, 17, (l) => lines.push(l), lineReadBlockSize(17), refuse),
    /not text/,
  );
  assert.deepEqual(lines, [], 'no line of a refused file is handed out');
  await assert.rejects(
    readLines(bad, 1, 10, () => {}, 64, refuse),
    /head check needs start 0/,
  );
});
