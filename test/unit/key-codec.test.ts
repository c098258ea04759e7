import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareKeys, decodeKey, encodeKey, isKey, type Key } from '../../proto/formats/index.js';
import { mulberry32 } from '../helpers/corpus.js';

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

// A small alphabet so random strings often share prefixes and collide.
const STRING_PIECES = [
  'a',
  'b',
  'ab',
  '\0',
  '\x01',
  '\x7f',
  '\u0080',
  'é',
  'ÿ',
  '\u07ff',
  '\u0800',
  'ü',
  '\ud7ff',
  '\ue000',
  '\uffff',
  '\u{10000}',
  '😀',
  '\u{10ffff}',
  ' ',
  'Z',
];

const SPECIAL_NUMBERS = [
  0,
  -0,
  1,
  -1,
  2,
  -2,
  0.5,
  -0.5,
  0.1,
  Infinity,
  -Infinity,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072014e-308,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  2 ** 53,
  -(2 ** 53),
  2 ** 53 + 2,
  2 ** 53 - 1,
  2 ** 53 - 2,
  1e300,
  -1e300,
  1e-300,
  -1e-300,
];

const bitsScratch = new DataView(new ArrayBuffer(8));

function randomNumber(rand: () => number): number {
  const r = rand();
  if (r < 0.3) return pick(rand, SPECIAL_NUMBERS);
  if (r < 0.6) return Math.floor(rand() * 21) - 10;
  // Arbitrary bit patterns reach subnormals, huge exponents and every sign/exponent mix.
  for (;;) {
    bitsScratch.setUint32(0, Math.floor(rand() * 2 ** 32));
    bitsScratch.setUint32(4, Math.floor(rand() * 2 ** 32));
    const n = bitsScratch.getFloat64(0);
    if (!Number.isNaN(n)) return n;
  }
}

function randomString(rand: () => number): string {
  const pieces = Math.floor(rand() * 5);
  let s = '';
  for (let i = 0; i < pieces; i++) s += pick(rand, STRING_PIECES);
  return s;
}

function randomKey(rand: () => number, depth = 0): Key {
  const r = rand();
  if (r < 0.05) return null;
  if (r < 0.1) return rand() < 0.5;
  if (r < 0.4) return randomNumber(rand);
  if (r < 0.75 || depth >= 3) return randomString(rand);
  const length = Math.floor(rand() * 4);
  const items: Key[] = [];
  for (let i = 0; i < length; i++) items.push(randomKey(rand, depth + 1));
  return items;
}

/** What a key decodes to: -0 becomes 0, so deepStrictEqual (which tells -0 from 0) can compare. */
function normalise(key: Key): Key {
  if (Array.isArray(key)) return key.map(normalise);
  return key === 0 ? 0 : key;
}

function sign(n: number): number {
  return n > 0 ? 1 : n < 0 ? -1 : 0;
}

function hex(key: Key): string {
  return encodeKey(key).toString('hex');
}

describe('key codec', () => {
  it('encodes to the documented bytes', () => {
    assert.equal(hex(null), '01');
    assert.equal(hex(false), '02');
    assert.equal(hex(true), '03');
    assert.equal(hex(0), '108000000000000000');
    assert.equal(hex(-0), '108000000000000000');
    assert.equal(hex(1), '10bff0000000000000');
    assert.equal(hex(-1), '10400fffffffffffff');
    assert.equal(hex(''), '2000');
    assert.equal(hex('a\0b'), '206100ff6200');
    assert.equal(hex('é'), '20c3a900');
    assert.equal(hex([]), '3000');
    assert.equal(hex(['a', [1]]), '30206100' + '3010bff000000000000000' + '00');
  });

  it('orders a hand-written ascending list as documented', () => {
    const ascending: Key[] = [
      null,
      false,
      true,
      -Infinity,
      -Number.MAX_VALUE,
      -1e9,
      -1.5,
      -1,
      -Number.MIN_VALUE,
      0,
      Number.MIN_VALUE,
      0.5,
      1,
      2,
      10,
      2 ** 53 - 1,
      2 ** 53,
      2 ** 53 + 2,
      Number.MAX_VALUE,
      Infinity,
      '',
      '\0',
      '\0\0',
      '\x01',
      'A',
      'a',
      'a\0',
      'a\0b',
      'ab',
      'b',
      'é',
      '\uffff',
      '😀',
      '\u{10ffff}',
      [],
      [null],
      [null, null],
      [false],
      [0],
      [0, 'a'],
      [1],
      [''],
      ['a'],
      ['a', null],
      ['a\0'],
      ['b'],
      [[]],
      [[], []],
      [[0]],
      [[[]]],
    ];
    for (let i = 1; i < ascending.length; i++) {
      const a = ascending[i - 1] as Key;
      const b = ascending[i] as Key;
      const label = `${JSON.stringify(a)} < ${JSON.stringify(b)}`;
      assert.ok(compareKeys(a, b) < 0, `compareKeys: ${label}`);
      assert.ok(compareKeys(b, a) > 0, `compareKeys reversed: ${label}`);
      assert.ok(Buffer.compare(encodeKey(a), encodeKey(b)) < 0, `bytes: ${label}`);
    }
  });

  it('orders strings by code point, not by UTF-16 unit like JS <', () => {
    // JS says '😀' (U+1F600, units D83D DE00) < '\uffff'; code point order says the opposite.
    assert.ok('😀' < '\uffff');
    assert.ok(compareKeys('\uffff', '😀') < 0);
    assert.ok(compareKeys('\ue000', '\u{10000}') < 0);
    assert.ok(compareKeys('\ud7ff', '\u{10000}') < 0);
    assert.ok(Buffer.compare(encodeKey('\uffff'), encodeKey('😀')) < 0);
  });

  it('treats -0 as 0', () => {
    assert.equal(compareKeys(-0, 0), 0);
    assert.deepEqual(encodeKey(-0), encodeKey(0));
    assert.ok(Object.is(decodeKey(encodeKey(-0)), 0));
    assert.ok(Object.is((decodeKey(encodeKey([-0])) as Key[])[0], 0));
  });

  it('round-trips and agrees with compareKeys on thousands of random keys', () => {
    const rand = mulberry32(0x9e3779b9);
    const keys: Key[] = [];
    for (let i = 0; i < 4000; i++) keys.push(randomKey(rand));
    const encoded = keys.map((k) => encodeKey(k));

    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as Key;
      const bytes = encoded[i] as Buffer;
      assert.deepStrictEqual(decodeKey(bytes), normalise(key), `round trip of ${bytes.toString('hex')}`);
      assert.ok(isKey(key));
    }

    // Random pairs: the sign of the byte comparison is the sign of compareKeys, and equal
    // bytes happen exactly for equal keys.
    let equalPairs = 0;
    for (let n = 0; n < 40000; n++) {
      const i = Math.floor(rand() * keys.length);
      const j = rand() < 0.1 ? i : Math.floor(rand() * keys.length);
      const a = keys[i] as Key;
      const b = keys[j] as Key;
      const bytesOrder = sign(Buffer.compare(encoded[i] as Buffer, encoded[j] as Buffer));
      const keyOrder = sign(compareKeys(a, b));
      assert.equal(bytesOrder, keyOrder, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      if (bytesOrder === 0) {
        equalPairs++;
        assert.deepStrictEqual(normalise(a), normalise(b));
      }
    }
    assert.ok(equalPairs > 100, 'the draw should produce equal pairs to test');

    // Sorting by bytes and sorting by compareKeys give the same sequence.
    const order = keys.map((_, i) => i);
    const byBytes = [...order].sort((i, j) => Buffer.compare(encoded[i] as Buffer, encoded[j] as Buffer));
    const byKeys = [...order].sort((i, j) => compareKeys(keys[i] as Key, keys[j] as Key));
    for (let p = 0; p < keys.length; p++) {
      assert.equal(
        compareKeys(keys[byBytes[p] as number] as Key, keys[byKeys[p] as number] as Key),
        0,
        `position ${p}`,
      );
    }
    for (let p = 1; p < byBytes.length; p++) {
      const a = keys[byBytes[p - 1] as number] as Key;
      const b = keys[byBytes[p] as number] as Key;
      assert.ok(compareKeys(a, b) <= 0, `${JSON.stringify(a)} then ${JSON.stringify(b)}`);
    }
  });

  it('sorts array prefixes first', () => {
    const rand = mulberry32(7);
    for (let n = 0; n < 1000; n++) {
      const length = 1 + Math.floor(rand() * 4);
      const full: Key[] = [];
      for (let i = 0; i < length; i++) full.push(randomKey(rand));
      const prefix = full.slice(0, Math.floor(rand() * length));
      assert.ok(compareKeys(prefix, full) < 0);
      assert.ok(Buffer.compare(encodeKey(prefix), encodeKey(full)) < 0, JSON.stringify([prefix, full]));
    }
  });

  it('handles integers near 2^53 and extreme floats exactly', () => {
    const ascending = [
      -1e308,
      -(2 ** 53) - 2,
      -(2 ** 53),
      -5e-324,
      0,
      5e-324,
      2 ** 53 - 1,
      2 ** 53,
      2 ** 53 + 2,
      1e308,
    ];
    for (let i = 0; i < ascending.length; i++) {
      const n = ascending[i] as number;
      assert.equal(decodeKey(encodeKey(n)), n);
      if (i > 0) assert.ok(Buffer.compare(encodeKey(ascending[i - 1] as number), encodeKey(n)) < 0, `before ${n}`);
    }
  });

  it('rejects bad keys with a message that names the problem', () => {
    const expectedTypes = /must be a string, number, boolean, null or an array of these; got/;
    const cases: Array<[unknown, RegExp, ErrorConstructor]> = [
      [undefined, /^key must be .*; got undefined$/, TypeError],
      [{}, /^key must be .*; got object$/, TypeError],
      [new Date(0), /; got object \(Date\)$/, TypeError],
      [() => 1, /; got function$/, TypeError],
      [1n, /; got bigint$/, TypeError],
      [Symbol('s'), /; got symbol$/, TypeError],
      [NaN, /^key must not be NaN/, RangeError],
      [[1, [null, undefined]], /^key\[1\]\[1\] must be .*; got undefined$/, TypeError],
      [['a', NaN], /^key\[1\] must not be NaN/, RangeError],
      // eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
      [[1, , 3], /^key\[1\] must be .*; got undefined$/, TypeError],
      ['\ud800', /^key is a string with a lone surrogate at index 0/, TypeError],
      ['ab\udc00', /^key is a string with a lone surrogate at index 2/, TypeError],
      ['a\0\ud83d', /^key is a string with a lone surrogate at index 2/, TypeError],
      [['ok', ['\ude00x']], /^key\[1\]\[0\] is a string with a lone surrogate at index 0/, TypeError],
    ];
    for (const [bad, message, type] of cases) {
      assert.throws(
        () => encodeKey(bad as Key),
        (e: unknown) => {
          assert.ok(e instanceof type, `${String(e)} should be a ${type.name}`);
          assert.match(e.message, message);
          assert.ok(!e.message.includes('\n'));
          return true;
        },
      );
      assert.equal(isKey(bad), false, `isKey(${String(bad)})`);
    }
    assert.throws(() => compareKeys([1, {} as Key], [1, 2]), { name: 'TypeError', message: expectedTypes });
    assert.throws(() => compareKeys(NaN, 1), RangeError);
  });

  it('rejects cyclic and absurdly deep arrays without overflowing the stack', () => {
    const cyclic: Key[] = [];
    cyclic.push(cyclic);
    assert.throws(() => encodeKey(cyclic), { name: 'RangeError', message: /deeper than 128 levels/ });
    assert.equal(isKey(cyclic), false);

    let deep: Key = [];
    for (let i = 0; i < 128; i++) deep = [deep];
    assert.throws(() => encodeKey(deep), RangeError);
    let ok: Key = [];
    for (let i = 0; i < 127; i++) ok = [ok];
    assert.deepStrictEqual(decodeKey(encodeKey(ok)), ok);
  });

  it('accepts every kind of key in isKey', () => {
    for (const k of [null, true, false, 0, -0, Infinity, '', 'x\0', '😀', [], [[], [null, 'a', 1]]] as Key[]) {
      assert.ok(isKey(k), JSON.stringify(k));
    }
  });

  it('decodes a Uint8Array that is not a Buffer, at a non-zero offset', () => {
    const bytes = encodeKey(['k', 42]);
    const backing = new Uint8Array(bytes.length + 3);
    backing.set(bytes, 3);
    assert.deepStrictEqual(decodeKey(backing.subarray(3)), ['k', 42]);
  });

  it('rejects malformed bytes with the offset', () => {
    const cases: Array<[string, number]> = [
      ['', 0], // nothing at all
      ['04', 0], // unknown tag
      ['ff', 0],
      ['10bff0', 0], // number truncated
      ['10' + '7fffffffffffffff', 0], // -0, which encodeKey never writes
      ['10' + 'fff8000000000000', 0], // NaN
      ['2061', 0], // string not terminated
      ['20c300', 1], // invalid UTF-8 (truncated sequence)
      ['20eda08000', 1], // UTF-8 of a lone surrogate
      ['206100ff', 0], // escaped NUL, then no terminator
      ['3001', 2], // array not terminated
      ['0101', 1], // trailing bytes
      ['300000', 2],
      ['2000' + '00', 2],
    ];
    for (const [bytes, offset] of cases) {
      assert.throws(
        () => decodeKey(Buffer.from(bytes, 'hex')),
        (e: unknown) => {
          assert.ok(e instanceof RangeError, `${bytes}: ${String(e)}`);
          assert.match(e.message, new RegExp(`^malformed key bytes at offset ${offset}\\b`), bytes);
          return true;
        },
      );
    }
    assert.throws(() => decodeKey(Buffer.alloc(200, 0x30)), /malformed key bytes at offset 128: arrays nested deeper/);
  });

  it('decodes only what encodeKey writes: fuzzed bytes either fail or re-encode identically', () => {
    const rand = mulberry32(12345);
    const alphabet = [0x00, 0x01, 0x02, 0x03, 0x10, 0x20, 0x30, 0x61, 0x7f, 0x80, 0xbf, 0xc3, 0xa9, 0xf0, 0xff];
    let decoded = 0;
    for (let n = 0; n < 20000; n++) {
      const length = 1 + Math.floor(rand() * 12);
      const bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) bytes[i] = pick(rand, alphabet);
      let key: Key;
      try {
        key = decodeKey(bytes);
      } catch (e) {
        assert.ok(e instanceof RangeError, String(e));
        continue;
      }
      decoded++;
      assert.deepEqual(encodeKey(key), bytes, bytes.toString('hex'));
    }
    assert.ok(decoded > 200, `only ${decoded} fuzzed inputs decoded`);
  });
});
