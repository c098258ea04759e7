import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeKey, encodeKey } from '../../proto/formats/index.js';
import { decodeValue, encodeValue } from '../../proto/formats/index.js';
import type { Key } from '../../proto/formats/index.js';
import { RecordFileWriter } from '../../proto/formats/index.js';
import { formatRecord } from '../../proto/formats/index.js';
import type { ResultFormat } from '../../proto/formats/index.js';
import { ResultTextEncoder } from '../../proto/formats/index.js';
import { mulberry32 } from '../helpers/corpus.js';

type Rec = [key: Buffer, value: Buffer];

/** What the CLI printed before the encoder: decode each record, format it, UTF-8. */
function reference(records: readonly Rec[], format: ResultFormat): Buffer {
  return Buffer.from(
    records.map(([k, v]) => formatRecord(decodeKey(k), decodeValue(v), format) + '\n').join(''),
    'utf8',
  );
}

/** The records' bytes in the part-file format (the blocks' payloads), written by the engine's own writer. */
function partFileBytes(records: readonly Rec[]): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-text-encoder-'));
  try {
    const file = path.join(dir, 'part.data');
    const payloads: Buffer[] = [];
    const writer = RecordFileWriter.create(file, { onBytes: (bytes) => payloads.push(Buffer.from(bytes)) });
    for (const [k, v] of records) writer.write(k, v);
    writer.close();
    return Buffer.concat(payloads);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Feeds bytes to a fresh encoder cut at the given offsets; returns the output and the record count. */
function encode(bytes: Buffer, cuts: readonly number[], format: ResultFormat): { text: Buffer; records: number } {
  const encoder = new ResultTextEncoder(format);
  const out: Buffer[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    // A fresh copy per chunk, as the network or a file read would hand over.
    out.push(Buffer.from(encoder.push(Buffer.from(bytes.subarray(from, to)))));
    from = to;
  }
  encoder.end();
  return { text: Buffer.concat(out), records: encoder.records };
}

function rec(key: Key, value: unknown): Rec {
  return [encodeKey(key), encodeValue(value)];
}

/** A MessagePack fixstr whose bytes are not UTF-8. */
function brokenString(bytes: number[]): Buffer {
  return Buffer.from([0xa0 | bytes.length, ...bytes]);
}

const MIXED: Rec[] = [
  rec('apple', 'red'),
  rec('', ''),
  rec('tab\there', 'line\nbreak'),
  rec('été', 'naïve ☃'),
  rec('😀 astral', '𝄞 clef'),
  rec('nul\0inside', 'value'),
  rec('\0', '\0'),
  rec('long', 'x'.repeat(31)),
  rec('str8', 'y'.repeat(200)),
  rec('str16', 'z'.repeat(70_000)),
  rec(42, 'number key'),
  rec(-1.5, 7),
  rec(null, null),
  rec(true, false),
  rec(['a', 1, [null]], { nested: [1, 'two'], big: 12345678901234567890n }),
  rec('bigint', 2n ** 70n),
  rec('object', { a: 'b' }),
  rec('array', ['x', 'y']),
  rec('float', 0.1),
  rec('binary', Buffer.from([1, 2, 3])),
  rec('after', 'the rest'),
];

describe('formatRecord', () => {
  it('prints bigints as their digits wherever they are, and everything else as JSON.stringify does', () => {
    const value = { n: 2n ** 70n, list: [1, -2n, 'x'], s: 'a\tb', none: null, d: new Date(0) };
    const json =
      '{"n":"1180591620717411303424","list":[1,"-2","x"],"s":"a\\tb","none":null,"d":"1970-01-01T00:00:00.000Z"}';
    assert.equal(formatRecord(['k', 1], value, 'text'), `["k",1]\t${json}`);
    assert.equal(formatRecord(3, [true, 2n, 'é'], 'jsonl'), '[3,[true,"2","é"]]');
    assert.equal(formatRecord('k', undefined, 'text'), 'k\tnull');
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    assert.throws(() => formatRecord('k', cycle, 'text'), TypeError);
  });
});

describe('ResultTextEncoder', () => {
  for (const format of ['text', 'jsonl'] as const) {
    it(`prints every kind of record exactly like formatRecord (${format}), whole and cut anywhere`, () => {
      const bytes = partFileBytes(MIXED);
      const expected = reference(MIXED, format);
      assert.deepEqual(encode(bytes, [], format), { text: expected, records: MIXED.length });
      const random = mulberry32(format === 'text' ? 1 : 2);
      for (let trial = 0; trial < 200; trial++) {
        const cuts = Array.from({ length: 1 + Math.floor(random() * 12) }, () =>
          Math.floor(random() * bytes.length),
        ).sort((a, b) => a - b);
        assert.deepEqual(
          encode(bytes, cuts, format),
          { text: expected, records: MIXED.length },
          `cuts ${cuts.join(',')}`,
        );
      }
    });
  }

  it('gives every one-byte cut of a small stream the same lines', () => {
    const records = MIXED.filter(([, v]) => v.length < 300);
    const bytes = partFileBytes(records);
    const expected = reference(records, 'text');
    for (let cut = 0; cut <= bytes.length; cut++)
      assert.deepEqual(encode(bytes, [cut], 'text').text, expected, `cut at ${cut}`);
    const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
    assert.deepEqual(encode(bytes, everyByte, 'text').text, expected);
  });

  it('prints string values whose bytes are not UTF-8 as the codecs decode them, not raw', () => {
    const records: Rec[] = [
      rec('ok', 'fine'),
      [encodeKey('bad'), brokenString([0x61, 0xff, 0xfe])],
      [encodeKey('cut'), brokenString([0xe2, 0x98])],
      rec('ok2', 'fine too'),
    ];
    const bytes = partFileBytes(records);
    const { text } = encode(bytes, [], 'text');
    // Compared as bytes: copied raw, the line would hold 0xff, which UTF-8 output never does.
    assert.deepEqual(text, reference(records, 'text'));
    assert.ok(!text.includes(0xff));
  });

  it('matches a large sort-like stream of string records in 1 MiB chunks', () => {
    const random = mulberry32(7);
    const printable = (n: number): string =>
      Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('');
    const records = Array.from({ length: 20_000 }, () => rec(printable(10), printable(89)));
    const bytes = partFileBytes(records);
    const cuts: number[] = [];
    for (let at = 1024 * 1024; at < bytes.length; at += 1024 * 1024) cuts.push(at);
    cuts.push(bytes.length - 3);
    assert.deepEqual(encode(bytes, cuts, 'text'), { text: reference(records, 'text'), records: records.length });
  });

  it('leaves a malformed key to the codec, which refuses it, whichever path meets it first', () => {
    // An empty key before a value of 32 bytes: 00 20 would look like a string key's tag and end.
    const empty = Buffer.concat([Buffer.from([0x00, 0x20]), encodeValue('x'.repeat(31))]);
    const good = partFileBytes([rec('k', 'v')]);
    assert.throws(() => new ResultTextEncoder('text').push(empty), /malformed key bytes/);
    assert.throws(() => new ResultTextEncoder('text').push(Buffer.concat([good, empty])), /malformed key bytes/);
    const mixed = new ResultTextEncoder('text');
    mixed.push(partFileBytes([rec(1, 2)]));
    assert.throws(() => mixed.push(empty), /malformed key bytes/);
  });

  it('refuses a stream that ends inside a record, and a corrupt length', () => {
    const bytes = partFileBytes([rec('a', 'b'), rec('c', 'd')]);
    const encoder = new ResultTextEncoder('text');
    assert.equal(encoder.push(bytes.subarray(0, bytes.length - 1)).toString(), 'a\tb\n');
    assert.throws(() => encoder.end(), /ended inside a record \(\d+ bytes left\)/);
    assert.throws(
      () => new ResultTextEncoder('text').push(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])),
      /malformed record stream/,
    );
  });
});
