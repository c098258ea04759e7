import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  encodeKey,
  encodeValue,
  RecordFileError,
  RecordFileReader,
  RecordFileWriter,
  varintSize,
  writeVarint,
} from '../../proto/formats/index.js';
import { BLOCK_HEADER_BYTES, blockChecksum, writeBlockHeader } from '../../proto/formats/index.js';
import type { RecordFileReaderOptions, RecordFileWriterOptions } from '../../proto/formats/index.js';
import { mulberry32 } from '../helpers/corpus.js';

type Rec = [key: Buffer, value: Buffer];

function withTempDir(fn: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-record-file-'));
  try {
    fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function randomBytes(rand: () => number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/**
 * Writes records and returns the offset where each one starts, plus the end offset. With
 * `blockPerRecord`, each record gets a checksummed block of its own, so every one of those
 * offsets is a block boundary (where a range may start or end).
 */
function writeFile(
  file: string,
  records: readonly Rec[],
  options?: RecordFileWriterOptions,
  blockPerRecord = false,
): number[] {
  const writer = RecordFileWriter.create(file, options);
  const offsets: number[] = [];
  for (const [k, v] of records) {
    offsets.push(blockPerRecord ? writer.endBlock() : writer.position);
    writer.write(k, v);
  }
  offsets.push(writer.endBlock());
  writer.close();
  writer.close();
  return offsets;
}

/** Reads every record, copying each because the reader's views die at the next next(). */
function readAll(file: string, start?: number, end?: number, options?: RecordFileReaderOptions): Rec[] {
  const reader = RecordFileReader.open(file, start, end, options);
  const out: Rec[] = [];
  try {
    while (reader.next()) out.push([Buffer.from(reader.key), Buffer.from(reader.value)]);
    assert.equal(reader.next(), false, 'stays at the end');
  } finally {
    reader.close();
    reader.close();
  }
  return out;
}

/** Records of many sizes: empty ones, ones whose lengths need 1, 2 and 3 varint bytes. */
function randomRecords(rand: () => number, n: number): Rec[] {
  const sizes = [0, 1, 5, 127, 128, 300, 16383, 16384, 20000];
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const ks = rand() < 0.2 ? (sizes[Math.floor(rand() * sizes.length)] as number) : Math.floor(rand() * 20);
    const vs = rand() < 0.2 ? (sizes[Math.floor(rand() * sizes.length)] as number) : Math.floor(rand() * 40);
    out.push([randomBytes(rand, ks), randomBytes(rand, vs)]);
  }
  return out;
}

test('round trip with varied writer buffers and reader blocks', () => {
  withTempDir((dir) => {
    const rand = mulberry32(1);
    const records = randomRecords(rand, 500);
    const file = path.join(dir, 'a.data');
    for (const bufferBytes of [16, 100, 4096, undefined]) {
      const offsets = writeFile(file, records, bufferBytes === undefined ? {} : { bufferBytes });
      assert.equal(offsets[offsets.length - 1], fs.statSync(file).size, 'position counts every byte');
      for (const blockBytes of [1, 7, 64, 1000, undefined]) {
        assert.deepEqual(readAll(file, undefined, undefined, blockBytes === undefined ? {} : { blockBytes }), records);
      }
    }
  });
});

/** A record framed as a record file frames it. */
function frame(key: Buffer, value: Buffer): Buffer {
  const out = Buffer.alloc(varintSize(key.length) + key.length + varintSize(value.length) + value.length);
  const p = writeVarint(out, 0, key.length);
  key.copy(out, p);
  value.copy(out, writeVarint(out, p + key.length, value.length));
  return out;
}

test('the format is checksummed blocks of varint key length, key, varint value length, value', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'a.data');
    writeFile(file, [
      [Buffer.from('ab'), Buffer.alloc(200, 7)],
      [Buffer.alloc(0), Buffer.alloc(0)],
    ]);
    const bytes = fs.readFileSync(file);
    assert.equal(bytes.readUInt32LE(0), 5 + 200 + 2, 'block payload length');
    assert.equal(bytes.readUInt32LE(4), blockChecksum(bytes, 8, bytes.length), 'CRC32 of the payload');
    const records = bytes.subarray(BLOCK_HEADER_BYTES);
    assert.deepEqual([...records.subarray(0, 5)], [2, 0x61, 0x62, 0xc8, 0x01]);
    assert.equal(records.length, 5 + 200 + 2);
    assert.deepEqual([...records.subarray(205)], [0, 0]);
  });
});

test('byte ranges read exactly the records inside them', () => {
  withTempDir((dir) => {
    const rand = mulberry32(2);
    const records = randomRecords(rand, 200);
    const file = path.join(dir, 'a.data');
    const offsets = writeFile(file, records, {}, true);
    for (let trial = 0; trial < 50; trial++) {
      const i = Math.floor(rand() * (records.length + 1));
      const j = i + Math.floor(rand() * (records.length + 1 - i));
      const got = readAll(file, offsets[i], offsets[j], { blockBytes: 1 + Math.floor(rand() * 300) });
      assert.deepEqual(got, records.slice(i, j), `records [${i}, ${j})`);
    }
    assert.deepEqual(readAll(file, offsets[10], offsets[10]), []);
  });
});

test('records spanning block boundaries, and records bigger than a block or the writer buffer', () => {
  withTempDir((dir) => {
    const rand = mulberry32(3);
    const big = randomBytes(rand, 3 * 1024 * 1024 + 17);
    const records: Rec[] = [
      [Buffer.from('small'), Buffer.from('x')],
      [Buffer.from('big'), big],
      [big.subarray(0, 70000), Buffer.from('big key')],
      [Buffer.from('after'), Buffer.from('y')],
    ];
    for (let i = 0; i < 100; i++) records.push([randomBytes(rand, 13), randomBytes(rand, 29)]);
    const file = path.join(dir, 'a.data');
    writeFile(file, records);
    assert.deepEqual(readAll(file), records, 'default 1 MiB block');
    assert.deepEqual(readAll(file, 0, undefined, { blockBytes: 10 }), records, 'tiny block, every record spans blocks');
    assert.deepEqual(readAll(file, 0, undefined, { blockBytes: 64 * 1024 }), records);
  });
});

test('views are valid until next() and point into the block (no copy)', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'a.data');
    writeFile(file, [
      [Buffer.from('k1'), Buffer.from('v1')],
      [Buffer.from('k2'), Buffer.from('v2')],
    ]);
    const reader = RecordFileReader.open(file);
    assert.ok(reader.next());
    assert.equal(reader.key.buffer, reader.value.buffer, 'key and value share the block');
    assert.equal(reader.key.toString(), 'k1');
    assert.equal(reader.offset, BLOCK_HEADER_BYTES + 6);
    reader.close();
  });
});

test('a truncated file throws a RecordFileError naming the path and the offset', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'a.data');
    const records: Rec[] = [];
    for (let i = 0; i < 10; i++) records.push([Buffer.from(`key-${i}`), Buffer.alloc(300, i)]);
    // A block per record: a block is verified whole before its first record is read.
    const offsets = writeFile(file, records, {}, true);
    const lastStart = offsets[9] as number;
    for (const cut of [1, 2, 250, 303, 304]) {
      fs.truncateSync(file, (offsets[10] as number) - cut);
      for (const blockBytes of [8, 1024 * 1024]) {
        const reader = RecordFileReader.open(file, 0, undefined, { blockBytes });
        for (let i = 0; i < 9; i++) assert.ok(reader.next());
        assert.throws(
          () => reader.next(),
          (err: unknown) =>
            err instanceof RecordFileError &&
            err.path === file &&
            err.offset === lastStart &&
            err.message.includes(file) &&
            err.message.includes(`offset ${lastStart}`) &&
            /truncated/.test(err.message),
        );
        reader.close();
      }
    }
  });
});

test('a range ending inside a record, or past the end of the file, is an error', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'a.data');
    const offsets = writeFile(
      file,
      [
        [Buffer.from('a'), Buffer.from('1')],
        [Buffer.from('bb'), Buffer.from('22')],
      ],
      {},
      true,
    );
    const reader = RecordFileReader.open(file, 0, (offsets[2] as number) - 1);
    assert.ok(reader.next());
    assert.throws(
      () => reader.next(),
      (err: unknown) => err instanceof RecordFileError && err.offset === offsets[1],
    );
    reader.close();
    assert.throws(() => RecordFileReader.open(file, 0, (offsets[2] as number) + 1), RangeError);
    assert.throws(() => RecordFileReader.open(file, 3, 2), RangeError);
  });
});

test('an over-long length varint is reported as corrupt', () => {
  withTempDir((dir) => {
    const file = path.join(dir, 'a.data');
    // A block with a valid checksum around bad records: what a buggy writer could make.
    const payload = Buffer.from([1, 0x41, 1, 0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const block = Buffer.alloc(BLOCK_HEADER_BYTES + payload.length);
    writeBlockHeader(block, 0, payload.length, blockChecksum(payload, 0, payload.length));
    payload.copy(block, BLOCK_HEADER_BYTES);
    fs.writeFileSync(file, block);
    const reader = RecordFileReader.open(file);
    assert.ok(reader.next());
    assert.throws(
      () => reader.next(),
      (err: unknown) =>
        err instanceof RecordFileError && err.offset === BLOCK_HEADER_BYTES + 4 && /corrupt/.test(err.message),
    );
    reader.close();
  });
});

test('a writer refuses writes after close', () => {
  withTempDir((dir) => {
    const writer = RecordFileWriter.create(path.join(dir, 'a.data'));
    writer.write(Buffer.from('k'), Buffer.from('v'));
    assert.equal(writer.position, BLOCK_HEADER_BYTES + 4);
    writer.close();
    assert.throws(() => writer.write(Buffer.from('k'), Buffer.from('v')), /after close/);
    assert.throws(() => writer.writeRaw(Buffer.from('t')), /after close/);
  });
});

test('writeRaw appends bytes after the records, in order, whatever the buffer size', () => {
  const rand = mulberry32(11);
  const records = randomRecords(rand, 40);
  withTempDir((dir) => {
    for (const bufferBytes of [16, 100, 1 << 20]) {
      for (const trailerBytes of [0, 5, 99, 5000]) {
        const file = path.join(dir, `raw-${bufferBytes}-${trailerBytes}.data`);
        const trailer = randomBytes(rand, trailerBytes);
        const writer = RecordFileWriter.create(file, { bufferBytes });
        for (const [k, v] of records) writer.write(k, v);
        const end = writer.position;
        writer.writeRaw(trailer.subarray(0, 1));
        writer.writeRaw(trailer.subarray(1));
        assert.equal(writer.position, end + trailerBytes);
        writer.close();
        const bytes = fs.readFileSync(file);
        assert.deepEqual(bytes.subarray(end), trailer);
        assert.deepEqual(readAll(file, 0, end), records, 'the records before the trailer read back');
      }
    }
  });
});

test('onBytes sees exactly the record bytes of the file, in order, records bigger than the buffer included', () => {
  const rand = mulberry32(12);
  const records = randomRecords(rand, 60);
  withTempDir((dir) => {
    for (const bufferBytes of [16, 100, 1 << 20]) {
      const file = path.join(dir, `tee-${bufferBytes}.data`);
      const seen: Buffer[] = [];
      // Views valid during the call only: copied, as a caller keeping them must.
      const writer = RecordFileWriter.create(file, { bufferBytes, onBytes: (bytes) => seen.push(Buffer.from(bytes)) });
      for (const [k, v] of records) writer.write(k, v);
      writer.writeRaw(randomBytes(rand, 300));
      writer.close();
      // The blocks' payloads, without their headers or the raw bytes after them.
      assert.deepEqual(
        Buffer.concat(seen),
        Buffer.concat(records.map(([k, v]) => frame(k, v))),
        `buffer of ${bufferBytes} bytes`,
      );
      assert.ok(
        seen.every((b) => b.length > 0),
        'no empty calls',
      );
    }
  });
});

test('writeRecordBytes copies framed records as they are, whatever the buffer size', () => {
  const rand = mulberry32(13);
  const records = randomRecords(rand, 80);
  withTempDir((dir) => {
    const pieces = records.map(([k, v]) => frame(k, v));
    const framed = Buffer.concat(pieces);
    const offsets = [0];
    for (const piece of pieces) offsets.push((offsets[offsets.length - 1] as number) + piece.length);
    for (const bufferBytes of [16, 100, 1 << 20]) {
      const file = path.join(dir, `copy-${bufferBytes}.data`);
      const writer = RecordFileWriter.create(file, { bufferBytes });
      // One record at a time, then the rest in one piece.
      for (let i = 0; i < 40; i++) writer.writeRecordBytes(framed, offsets[i] as number, offsets[i + 1] as number);
      writer.writeRecordBytes(framed, offsets[40] as number, framed.length);
      assert.equal(writer.records.payloadBytes, framed.length);
      writer.close();
      assert.deepEqual(readAll(file), records, `buffer of ${bufferBytes} bytes`);
    }
  });
});

test('keyEquals and compareKeyTo agree with Buffer#equals and Buffer#compare on the key views', () => {
  withTempDir((dir) => {
    const random = mulberry32(41);
    // Keys around the inline-compare length, sharing prefixes, and one a prefix of another.
    const keys: Buffer[] = [];
    for (const n of [0, 1, 7, 8, 31, 32, 33, 100]) {
      const base = Buffer.from(Array.from({ length: n }, () => 97 + Math.floor(random() * 3)));
      keys.push(base, Buffer.concat([base, Buffer.of(0)]), Buffer.concat([base, Buffer.of(98)]));
      if (n > 0) keys.push(Buffer.concat([base.subarray(0, n - 1), Buffer.of(200)]));
    }
    const files = [0, 1].map((f) => {
      const file = path.join(dir, `keys-${f}.data`);
      const writer = RecordFileWriter.create(file);
      for (const k of keys) writer.write(k, Buffer.of(f));
      writer.close();
      return file;
    });
    // Small blocks, so records move within the reader's buffer between comparisons.
    const a = RecordFileReader.open(files[0] as string, 0, undefined, { blockBytes: 64 });
    for (const ka of keys) {
      assert.ok(a.next());
      const b = RecordFileReader.open(files[1] as string, 0, undefined, { blockBytes: 64 });
      for (const kb of keys) {
        assert.ok(b.next());
        assert.equal(a.keyEquals(kb), ka.equals(kb), `${ka.toString('hex')} = ${kb.toString('hex')}`);
        assert.equal(
          Math.sign(a.compareKeyTo(b)),
          Math.sign(ka.compare(kb)),
          `${ka.toString('hex')} vs ${kb.toString('hex')}`,
        );
        assert.equal(
          Math.sign(a.compareKeyTo({ key: kb, value: Buffer.alloc(0), next: () => false, close: () => undefined })),
          Math.sign(ka.compare(kb)),
        );
      }
      b.close();
    }
    a.close();
  });
});

test('writeScalarPair writes the bytes of encodeKey and encodeValue, or nothing when it cannot', () => {
  const rand = mulberry32(29);
  // Keys of every UTF-8 width and length class (a NUL, a lone surrogate: the codecs' path);
  // numbers of every msgpack width; strings whose header needs 1, 2 and 3 bytes.
  const keys = ['a', 'word', 'é', '日本語', '😀x', 'k'.repeat(200), 'a\0b', 'bad\ud800', ''];
  const values: (number | string)[] = [0, 1, -1, 127, 128, 65535, 2 ** 32, -(2 ** 40), 1.5, NaN, 'x', 'é'.repeat(20)];
  values.push('v'.repeat(300), 'w'.repeat(70000));
  withTempDir((dir) => {
    for (const bufferBytes of [16, 4096, 1 << 20]) {
      const file = path.join(dir, `scalar-${bufferBytes}.data`);
      const writer = RecordFileWriter.create(file, { bufferBytes });
      const expected: Rec[] = [];
      for (let i = 0; i < 300; i++) {
        const key = keys[Math.floor(rand() * keys.length)] as string;
        const value = values[Math.floor(rand() * values.length)] as number | string;
        let encodedKey: Buffer;
        try {
          encodedKey = encodeKey(key);
        } catch {
          assert.equal(
            writer.writeScalarPair(key, value),
            false,
            `key ${JSON.stringify(key)} is the codecs' to refuse`,
          );
          continue;
        }
        if (!writer.writeScalarPair(key, value)) writer.write(encodedKey, encodeValue(value));
        expected.push([encodedKey, encodeValue(value)]);
      }
      writer.close();
      assert.deepEqual(readAll(file), expected, `buffer of ${bufferBytes} bytes`);
    }
  });
});
