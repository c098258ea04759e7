import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { nonTextReason } from '../../worker/index.js';

describe('text input check', () => {
  it('takes text, UTF-8, empty input and text that merely starts like a magic number', () => {
    for (const text of [
      '',
      'hello\n',
      'naïve café 東京\r\n',
      'BZhello world',
      'PK is a word',
      '\u001f is a control character',
    ]) {
      assert.equal(nonTextReason(Buffer.from(text)), undefined, JSON.stringify(text));
    }
  });

  it('names compressed data, archives and NUL bytes', () => {
    const cases: [Buffer, string][] = [
      [zlib.gzipSync('text'), 'gzip-compressed'],
      [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00]), 'zstd-compressed'],
      [Buffer.from('BZh91AY&SY'), 'bzip2-compressed'],
      [Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00]), 'xz-compressed'],
      [Buffer.from('PK\u0003\u0004rest'), 'a zip archive'],
      [Buffer.from('PK\u0005\u0006'), 'a zip archive'],
      [Buffer.from('abc\u0000def'), 'binary (a NUL byte at offset 3)'],
      [Buffer.from('\ufeffab', 'utf16le'), 'binary (a NUL byte at offset 3)'],
    ];
    for (const [bytes, what] of cases) {
      const reason = nonTextReason(bytes);
      assert.ok(reason?.startsWith(what), `${bytes.toString('hex')}: ${String(reason)}`);
    }
  });
});
