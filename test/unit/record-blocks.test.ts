import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordFileError, RecordFileReader, RecordFileWriter } from '../../proto/formats/index.js';
import {
  BlockChecksumError,
  encodePartFileEnd,
  PART_FILE_END_BYTES,
  PartFileVerifier,
  verifyPartFileSync,
} from '../../proto/formats/index.js';
import { ResultLinesWriter, ResultTextEncoder } from '../../proto/formats/index.js';
import { encodeKey } from '../../proto/formats/index.js';
import { encodeValue } from '../../proto/formats/index.js';
import { MapOutputBuffer } from '../../worker/index.js';
import { readMapOutputIndex } from '../../proto/formats/index.js';
import { mulberry32 } from '../helpers/corpus.js';

type Rec = [key: Buffer, value: Buffer];

function withTempDir(fn: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-record-blocks-'));
  try {
    fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Records of a few sizes, some bigger than a block. */
function records(seed: number, n: number): Rec[] {
  const rand = mulberry32(seed);
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const big = rand() < 0.02;
    const key = Buffer.from(`key-${String(i).padStart(5, '0')}`);
    const value = Buffer.alloc(big ? 20_000 + Math.floor(rand() * 5000) : Math.floor(rand() * 200), i & 0xff);
    out.push([key, value]);
  }
  return out;
}

/** Writes a part file as a reduce does: blocks, then the end marker. Returns the records' bytes (the blocks' payloads). */
function writePartFile(file: string, recs: readonly Rec[], bufferBytes?: number): Buffer {
  const payloads: Buffer[] = [];
  const writer = RecordFileWriter.create(file, { bufferBytes, onBytes: (b) => payloads.push(Buffer.from(b)) });
  for (const [k, v] of recs) writer.write(k, v);
  writer.endBlock();
  const { payloadBytes, blocks } = writer.records;
  writer.writeRaw(encodePartFileEnd(payloadBytes, blocks));
  writer.close();
  return Buffer.concat(payloads);
}

function readAll(file: string, end?: number): Rec[] {
  const reader = RecordFileReader.open(file, 0, end);
  const out: Rec[] = [];
  try {
    while (reader.next()) out.push([Buffer.from(reader.key), Buffer.from(reader.value)]);
  } finally {
    reader.close();
  }
  return out;
}

test('block framing round trip: the reader and the part file verifier give back the records, fed in chunks of any size', () => {
  withTempDir((dir) => {
    const recs = records(1, 600);
    for (const bufferBytes of [64, 5000, undefined]) {
      const file = path.join(dir, `part-${String(bufferBytes)}.data`);
      const payload = writePartFile(file, recs, bufferBytes);
      const size = fs.statSync(file).size;
      assert.deepEqual(readAll(file, size - PART_FILE_END_BYTES), recs);
      assert.deepEqual(verifyPartFileSync(file).payloadBytes, payload.length);
      const bytes = fs.readFileSync(file);
      for (const chunk of [1, 7, 4096, 100_000]) {
        const verifier = new PartFileVerifier(file);
        const got: Buffer[] = [];
        // The verifier compacts its input in place: give it copies.
        for (let at = 0; at < bytes.length; at += chunk)
          got.push(Buffer.from(verifier.push(Buffer.from(bytes.subarray(at, at + chunk)))));
        verifier.end();
        assert.ok(Buffer.concat(got).equals(payload), `chunks of ${chunk}`);
      }
    }
  });
});

test('a flipped bit anywhere in a record file is a RecordFileError naming the file, never a wrong record', () => {
  withTempDir((dir) => {
    const recs = records(2, 120);
    const file = path.join(dir, 'a.data');
    const writer = RecordFileWriter.create(file, { bufferBytes: 3000 });
    for (const [k, v] of recs) writer.write(k, v);
    writer.close();
    const good = fs.readFileSync(file);
    assert.ok(good.length > 3 * 3000, 'several blocks');
    const rand = mulberry32(3);
    // Every byte of the first blocks, then a sample of the rest.
    const offsets = [
      ...Array.from({ length: 400 }, (_, i) => i),
      ...Array.from({ length: 400 }, () => Math.floor(rand() * good.length)),
    ];
    for (const offset of offsets) {
      const bad = Buffer.from(good);
      bad[offset] = (bad[offset] as number) ^ (1 << (offset % 8));
      fs.writeFileSync(file, bad);
      assert.throws(
        () => readAll(file),
        (err: unknown) =>
          err instanceof RecordFileError &&
          err.path === file &&
          /checksum mismatch|runs past|corrupt/.test(err.message),
        `flip at ${offset}`,
      );
    }
  });
});

test('a flipped bit in a part file, or a cut one (at a block boundary, at a record boundary inside a block, mid-record), fails its verification', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'part.data');
    writePartFile(file, records(4, 300), 4000);
    const good = fs.readFileSync(file);
    const check = (bytes: Buffer, why: RegExp, what: string): void => {
      fs.writeFileSync(file, bytes);
      assert.throws(
        () => verifyPartFileSync(file),
        (err: unknown) => err instanceof BlockChecksumError && err.file === file && why.test(err.message),
        what,
      );
    };
    const rand = mulberry32(5);
    for (let i = 0; i < 300; i++) {
      const offset = Math.floor(rand() * good.length);
      const bad = Buffer.from(good);
      bad[offset] = (bad[offset] as number) ^ 0x20;
      check(bad, /checksum mismatch|empty block|end marker|ends inside|after the end marker/, `flip at ${offset}`);
    }
    // Every cut short of the whole file: at the end marker, at blocks' ends, inside records.
    for (let cut = 0; cut < good.length; cut += 1 + Math.floor(rand() * 97))
      check(good.subarray(0, cut), /ends inside a block|without its end marker|ends inside/, `cut at ${cut}`);
    check(
      good.subarray(0, good.length - PART_FILE_END_BYTES),
      /without its end marker/,
      'cut at the last block boundary',
    );
    check(Buffer.concat([good, Buffer.from('x')]), /after the end marker/, 'a byte more');
  });
});

test('a fetched copy shorter than its range, and a range not ending on a block boundary, are refused', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'copy.data');
    const writer = RecordFileWriter.create(file, { bufferBytes: 1000 });
    for (const [k, v] of records(6, 50)) writer.write(k, v);
    const size = writer.endBlock();
    writer.close();
    fs.truncateSync(file, size - 10);
    assert.throws(() => RecordFileReader.open(file, 0, size), RangeError);
    assert.throws(
      () => readAll(file, size - 10),
      (err: unknown) => err instanceof RecordFileError && /runs past the end of the range/.test(err.message),
    );
  });
});

test('a flipped bit in a map output index, or a cut map output, is refused by readMapOutputIndex', () => {
  withTempDir((dir) => {
    const buffer = new MapOutputBuffer({ partitions: 3, bufferBytes: 1 << 20, dir });
    for (let i = 0; i < 500; i++) buffer.addPair(undefined, `w${i % 37}`, i);
    const file = buffer.finish();
    const good = fs.readFileSync(file.dataPath);
    assert.deepEqual(readMapOutputIndex(dir), file);
    // Every byte after the records: the index's JSON, its length, its checksum, the magic.
    for (let offset = file.bytes; offset < good.length; offset++) {
      const bad = Buffer.from(good);
      bad[offset] = (bad[offset] as number) ^ 0x01;
      fs.writeFileSync(file.dataPath, bad);
      assert.throws(() => readMapOutputIndex(dir), /invalid map output index/, `flip at ${offset}`);
    }
    for (const cut of [1, 16, good.length - file.bytes, good.length - file.bytes + 1, good.length - 1]) {
      fs.writeFileSync(file.dataPath, good.subarray(0, good.length - cut));
      assert.throws(() => readMapOutputIndex(dir), /invalid map output index/, `cut ${cut}`);
    }
  });
});

test('result lines written from the part file as its blocks go to disk equal the part file converted afterwards', () => {
  withTempDir((dir) => {
    for (const format of ['text', 'jsonl'] as const) {
      const lines = path.join(dir, `part.${format}`);
      const writer = ResultLinesWriter.create(lines, format);
      const partPath = path.join(dir, 'part.data');
      const part = RecordFileWriter.create(partPath, { bufferBytes: 4096, onBytes: (b) => writer.push(b) });
      for (let i = 0; i < 30_000; i++) part.write(encodeKey(`word-${i}`), encodeValue(i % 7 ? i : { n: i }));
      // One record bigger than the buffer goes around it (writeBlockDirect): its bytes must come too.
      part.write(encodeKey('big'), encodeValue('x'.repeat(10_000)));
      part.endBlock();
      const { payloadBytes, blocks } = part.records;
      part.writeRaw(encodePartFileEnd(payloadBytes, blocks));
      part.close();
      writer.end();
      const verifier = new PartFileVerifier(partPath);
      const encoder = new ResultTextEncoder(format);
      const expected = Buffer.from(encoder.push(verifier.push(fs.readFileSync(partPath))));
      verifier.end();
      encoder.end();
      assert.equal(writer.records, 30_001);
      assert.equal(writer.bytes, expected.length);
      assert.ok(fs.readFileSync(lines).equals(expected), `${format} lines equal the converted part file`);
    }
  });
});
