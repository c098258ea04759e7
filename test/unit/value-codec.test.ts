import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import {
  checkValue,
  decodeValue,
  encodeValue,
  encodeValueOf,
  scalarValueRoom,
  UnstorableValueError,
  writeScalarValueAt,
} from '../../proto/formats/index.js';
import { mulberry32 } from '../helpers/corpus.js';

// msgpackr as the value codec configures it: the reference the fast path must agree with.
const reference = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: 'bigint',
  useBigIntExtension: true,
});

/** Every MessagePack number width, both signs, and the edges of each. */
function numbers(): number[] {
  const out = [
    0,
    1,
    -1,
    127,
    128,
    -32,
    -33,
    255,
    256,
    -128,
    -129,
    65535,
    65536,
    -32768,
    -32769,
    2 ** 32 - 1,
    2 ** 32,
    -(2 ** 31),
    -(2 ** 31) - 1,
    0.5,
    -0.25,
    1e300,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER,
    -0,
    Infinity,
    -Infinity,
    NaN,
  ];
  const rnd = mulberry32(3);
  for (let i = 0; i < 5000; i++) {
    const magnitude = 2 ** Math.floor(rnd() * 40);
    const n = Math.floor(rnd() * magnitude) * (rnd() < 0.5 ? -1 : 1);
    out.push(n, n + rnd());
  }
  return out;
}

describe('value codec', () => {
  it('decodes numbers, booleans and null exactly as msgpackr does', () => {
    for (const v of [...numbers(), true, false, null]) {
      const bytes = encodeValue(v);
      assert.deepEqual(
        decodeValue(bytes),
        reference.unpack(bytes),
        `value ${String(v)} (bytes ${bytes.toString('hex')})`,
      );
    }
  });

  it('decodes hand-made encodings of every fixed width, also from inside a larger buffer', () => {
    const encodings = [
      'cc80',
      'ccff',
      'cd1234',
      'cdffff',
      'ce89abcdef',
      'ceffffffff',
      'd080',
      'd07f',
      'd18000',
      'd1ff7f',
      'd280000000',
      'd2fffffffe',
      'cb3ff8000000000000',
      'ca3fc00000',
      'e0',
      'ff',
      '7f',
      'c0',
      'c2',
      'c3',
    ];
    for (const hex of encodings) {
      const inner = Buffer.from(hex, 'hex');
      const padded = Buffer.concat([Buffer.from('aabb', 'hex'), inner, Buffer.from('cc', 'hex')]).subarray(
        2,
        2 + inner.length,
      );
      assert.deepEqual(decodeValue(padded), reference.unpack(inner), hex);
    }
  });

  it('decodes strings of every length and alphabet exactly as msgpackr does, also from inside a larger buffer', () => {
    const random = mulberry32(29);
    const alphabet = ['a', 'Z', '/', '\0', '\x7f', '\x80', 'é', '€', '😀'];
    const strings = ['\ud800', 'a\udc00b', 'x'.repeat(40) + '\udbff'];
    for (const n of [0, 1, 2, 15, 16, 31, 32, 33, 255, 256, 65535, 65536, 70_000]) {
      strings.push('x'.repeat(n), Array.from({ length: n }, () => alphabet[Math.floor(random() * 5)]).join(''));
      strings.push(Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    }
    for (const v of strings) {
      const inner = encodeValue(v);
      const padded = Buffer.concat([Buffer.from('a5', 'hex'), inner, Buffer.from('ff', 'hex')]).subarray(
        1,
        1 + inner.length,
      );
      const expected = reference.unpack(inner);
      assert.equal(decodeValue(inner), expected, `a string of ${v.length} units`);
      assert.equal(decodeValue(padded), expected, `a string of ${v.length} units, inside a buffer`);
      assert.equal(decodeValue(new Uint8Array(inner)), expected, `a string of ${v.length} units, from a Uint8Array`);
    }
    // Lengths that do not match the header are not taken as strings.
    for (const hex of ['a261', 'd90361', 'da000261'])
      assert.throws(() => decodeValue(Buffer.from(hex, 'hex')), Error, hex);
  });

  it('leaves every other value to msgpackr', () => {
    const values = ['', 'text', [1, 2], { a: 1 }, 2n ** 70n, new Uint8Array([1, 2, 3]), [null, true, 'x']];
    for (const v of values) assert.deepEqual(decodeValue(encodeValue(v)), reference.unpack(reference.pack(v)));
  });
});

describe('values MessagePack cannot carry', () => {
  const circular: Record<string, unknown> = { a: 1 };
  circular['self'] = circular;
  class Point {
    constructor(
      readonly x: number,
      readonly label?: string,
    ) {}
  }
  const cases: [string, unknown, RegExp][] = [
    ['a function', () => 1, /^value is a function$/],
    ['undefined', undefined, /^value is undefined$/],
    ['a Symbol in an array', [1, Symbol('s')], /^value\[1\] is a Symbol$/],
    ['undefined in an array', [1, undefined], /^value\[1\] is undefined$/],
    [
      'undefined at the end of a long array',
      [...new Array<number>(300).fill(7), undefined],
      /^value\[300\] is undefined$/,
    ],
    // eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
    ['a hole in an array', [1, , 3], /^value\[1\] is undefined$/],
    ['a function-valued property', { name: 'x', f: () => 0 }, /^value\.f is a function$/],
    ['an undefined property', { a: 1, b: undefined }, /^value\.b is undefined$/],
    [
      'a nested function',
      { list: [{ ok: 1 }, { 'odd key': [Math.max] }] },
      /^value\.list\[1\]\["odd key"\]\[0\] is a function$/,
    ],
    ['an undefined in a Map', new Map([['k', undefined]]), /^value\.get\("k"\) is undefined$/],
    ['a class instance with an undefined field', new Point(1), /^value\.label is undefined$/],
    ['a cycle', circular, /^value\.self is circular/],
  ];
  for (const [what, value, problem] of cases) {
    it(`refuses ${what}, naming the path and the type`, () => {
      for (const encode of [(v: unknown) => encodeValue(v), (v: unknown) => checkValue('k', v)]) {
        assert.throws(
          () => encode(value),
          (err: unknown) => err instanceof UnstorableValueError && problem.test(err.problem),
          `${what}: ${String(problem)}`,
        );
      }
    });
  }

  it('names the key it was emitted with, on one line', () => {
    assert.throws(
      () => encodeValueOf(['user', 7], { f: () => 0 }),
      (err: unknown) =>
        err instanceof Error &&
        err.message === 'the value emitted for key ["user",7] cannot be stored: value.f is a function',
    );
  });

  it('still round-trips numbers, strings, objects, Dates, binary and values whose bytes look like undefined', () => {
    const date = new Date(1700000000000);
    // d4 00 00 inside a number and inside binary data: the walk finds nothing to refuse.
    const long = Buffer.alloc(500, 0x61);
    long.set([0xd4, 0, 0], 400);
    const lookalikes = [
      0xd40000,
      Buffer.from([0xd4, 0, 0, 1]),
      long,
      ['x'.repeat(200), 0xd40000],
      [1.5, 'x'],
      { a: 1, b: [null, 'y', { c: 2n }] },
      date,
      { toJSON: 1 },
    ];
    for (const v of [0, -1, 2.5, 'text', ...lookalikes]) {
      checkValue('k', v);
      assert.deepEqual(decodeValue(encodeValue(v)), reference.unpack(reference.pack(v)));
    }
  });
});

describe('writeScalarValueAt', () => {
  it('writes exactly the bytes of encodeValue for strings at every header boundary, lone surrogates included', () => {
    const random = mulberry32(17);
    const alphabet = ['a', 'é', '€', '😀', '\0', '\t'];
    const strings: string[] = [];
    for (const n of [
      0, 1, 10, 11, 30, 31, 32, 33, 84, 85, 86, 127, 128, 254, 255, 256, 257, 21845, 21846, 65534, 65535, 65536, 65537,
      70_000,
    ]) {
      strings.push('x'.repeat(n));
      strings.push(Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
      strings.push('€'.repeat(Math.floor(n / 3)) + 'y'.repeat(n % 3));
    }
    strings.push('\ud800', 'a\udc00b', 'x'.repeat(100) + '\udbff');
    for (const s of strings) {
      const room = scalarValueRoom(s);
      const expected = encodeValue(s);
      const buf = Buffer.alloc(room + 4, 0xee);
      assert.equal(writeScalarValueAt(s, buf, 2), 2 + expected.length, `size of a string of ${s.length} units`);
      assert.deepEqual(buf.subarray(2, 2 + expected.length), expected, `a string of ${s.length} units`);
      assert.deepEqual(
        [buf[0], buf[1], buf[room + 2], buf[room + 3]],
        [0xee, 0xee, 0xee, 0xee],
        'nothing written outside its room',
      );
    }
  });
});
