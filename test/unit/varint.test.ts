import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  MAX_LENGTH_VARINT_BYTES,
  MAX_VARINT_BYTES,
  readVarint,
  VARINT_TOO_LONG,
  VARINT_TRUNCATED,
  varintSize,
  varintValue,
  writeVarint,
} from '../../proto/formats/index.js';

/** Every boundary of the encoding's byte count, the largest lengths the formats store, and the largest safe integer. */
const VALUES = [
  0,
  1,
  127,
  128,
  255,
  300,
  2 ** 14 - 1,
  2 ** 14,
  2 ** 21 - 1,
  2 ** 21,
  2 ** 28 - 1,
  2 ** 28,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 35 - 1,
  2 ** 35,
  2 ** 42,
  2 ** 49 - 1,
  2 ** 49,
  Number.MAX_SAFE_INTEGER,
];

/** The reference encoding, by BigInt: 7 bits a byte, low bits first. */
function reference(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return out;
}

describe('varint', () => {
  it('writes the reference encoding, of the size varintSize says, and reads it back', () => {
    for (const n of VALUES) {
      const buf = Buffer.alloc(MAX_VARINT_BYTES + 2, 0xee);
      const end = writeVarint(buf, 1, n);
      assert.deepEqual([...buf.subarray(1, end)], reference(n), `encoding of ${n}`);
      assert.equal(end - 1, varintSize(n), `size of ${n}`);
      assert.equal(buf[end], 0xee, `${n} wrote past its end`);
      assert.equal(readVarint(buf, 1, end), end, `read of ${n}`);
      assert.equal(varintValue(), n);
    }
  });

  it('sizes at the boundaries: 1 byte to 127, 2 from 128, ..., 5 for every record length, 8 for the largest safe integer', () => {
    assert.deepEqual(
      [
        0,
        127,
        128,
        2 ** 14 - 1,
        2 ** 14,
        2 ** 21,
        2 ** 28 - 1,
        2 ** 28,
        2 ** 31,
        2 ** 35 - 1,
        2 ** 35,
        Number.MAX_SAFE_INTEGER,
      ].map(varintSize),
      [1, 1, 2, 2, 3, 4, 4, 5, 5, 5, 6, 8],
    );
    assert.equal(varintSize(2 ** 35 - 1), MAX_LENGTH_VARINT_BYTES);
    assert.equal(varintSize(Number.MAX_SAFE_INTEGER), MAX_VARINT_BYTES);
  });

  it('a varint cut anywhere is truncated, never a value', () => {
    for (const n of VALUES) {
      const bytes = Buffer.from(reference(n));
      for (let cut = 0; cut < bytes.length; cut++) {
        assert.equal(readVarint(bytes, 0, cut), VARINT_TRUNCATED, `${n} cut at ${cut}`);
      }
    }
    assert.equal(readVarint(Buffer.from([0x80, 0x80]), 0, 2), VARINT_TRUNCATED);
    assert.equal(readVarint(Buffer.alloc(0), 0, 0), VARINT_TRUNCATED);
  });

  it('a varint longer than allowed is too long, even when more bytes follow', () => {
    const six = Buffer.from(reference(2 ** 35));
    assert.equal(six.length, 6);
    assert.equal(readVarint(six, 0, six.length, MAX_LENGTH_VARINT_BYTES), VARINT_TOO_LONG);
    assert.equal(readVarint(six, 0, six.length), six.length);
    assert.equal(varintValue(), 2 ** 35);
    const endless = Buffer.alloc(16, 0xff);
    assert.equal(readVarint(endless, 0, endless.length), VARINT_TOO_LONG);
    assert.equal(readVarint(endless, 0, endless.length, MAX_LENGTH_VARINT_BYTES), VARINT_TOO_LONG);
    // Five bytes are allowed for a length: the largest one below 2^35 reads.
    const five = Buffer.from(reference(2 ** 35 - 1));
    assert.equal(readVarint(five, 0, five.length, MAX_LENGTH_VARINT_BYTES), 5);
    assert.equal(varintValue(), 2 ** 35 - 1);
  });

  it('reads at an offset, up to a limit inside the buffer', () => {
    const buf = Buffer.from([0xff, 0xac, 0x02, 0x05, 0x99]);
    assert.equal(readVarint(buf, 1, 4), 3);
    assert.equal(varintValue(), 300);
    assert.equal(readVarint(buf, 3, 4), 4);
    assert.equal(varintValue(), 5);
    assert.equal(readVarint(buf, 4, 4), VARINT_TRUNCATED);
  });
});
