import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMr } from '../helpers/cli.js';
import { partFiles } from '../helpers/part-files.js';

/** The input: RECORDS gensort-like lines of RECORD_BYTES (10-byte key, payload, `\n`) in FILES files. */
const RECORDS = 5_000_000;
const RECORD_BYTES = 100;
const KEY_BYTES = 10;
const FILES = 4;
const TAB = 0x09;
const LF = 0x0a;

/**
 * An order-free fingerprint of a multiset of records: the count, and the sum and xor of a
 * 32-bit FNV-1a hash of each record's bytes (the sum modulo 2^48) (the output's tab after the key skipped).
 */
class Fingerprint {
  count = 0;
  sum = 0;
  xor = 0;

  add(buf: Buffer, start: number, end: number, skip: number): void {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      if (i === skip) continue;
      h = Math.imul(h ^ (buf[i] as number), 0x01000193);
    }
    h >>>= 0;
    this.count++;
    // Modulo 2^48, so every partial sum stays exact in a double.
    this.sum = (this.sum + h) % 2 ** 48;
    this.xor = (this.xor ^ h) >>> 0;
  }
}

/** Writes the records with an xorshift generator (keys of printable ASCII, '!'..'~'), fingerprinting them. */
function writeInput(dir: string): Fingerprint {
  const fp = new Fingerprint();
  let s = 20261202;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const batch = 10_000;
  const buf = Buffer.alloc(RECORD_BYTES * batch);
  for (let f = 0; f < FILES; f++) {
    const fd = fs.openSync(path.join(dir, `records-${f}.txt`), 'w');
    try {
      for (let done = 0; done < RECORDS / FILES; done += batch) {
        for (let i = 0; i < batch; i++) {
          const o = i * RECORD_BYTES;
          for (let k = 0; k < KEY_BYTES; k++) buf[o + k] = 0x21 + (next() % 94);
          buf.write(String(f * (RECORDS / FILES) + done + i).padStart(12, '0'), o + KEY_BYTES, 'latin1');
          for (let k = KEY_BYTES + 12; k < RECORD_BYTES - 1; k++) buf[o + k] = 0x41 + ((done + i + k) % 26);
          buf[o + RECORD_BYTES - 1] = LF;
          fp.add(buf, o, o + RECORD_BYTES - 1, -1);
        }
        fs.writeSync(fd, buf);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  return fp;
}

/**
 * Streams the part files in partition order, block by block (never a whole file in
 * memory): every line is KEY<TAB>PAYLOAD, keys never go down, and the records' fingerprint.
 */
function scanOutput(parts: readonly string[]): Fingerprint {
  const fp = new Fingerprint();
  const last = Buffer.alloc(KEY_BYTES);
  let first = true;
  const block = Buffer.alloc(4 * 1024 * 1024);
  for (const part of parts) {
    const fd = fs.openSync(part, 'r');
    try {
      let carry = 0;
      for (;;) {
        const n = fs.readSync(fd, block, carry, block.length - carry, null);
        const end = carry + n;
        let at = 0;
        for (let lf = block.indexOf(LF, at); lf !== -1 && lf < end; lf = block.indexOf(LF, at)) {
          assert.equal(block[at + KEY_BYTES], TAB, `${part}: no tab after the key at a line`);
          if (!first)
            assert.ok(block.compare(last, 0, KEY_BYTES, at, at + KEY_BYTES) >= 0, `${part}: keys out of order`);
          block.copy(last, 0, at, at + KEY_BYTES);
          first = false;
          fp.add(block, at, lf, at + KEY_BYTES);
          at = lf + 1;
        }
        carry = end - at;
        block.copy(block, 0, at, end);
        if (n === 0) break;
      }
      assert.equal(carry, 0, `${part} ends without a line end`);
    } finally {
      fs.closeSync(fd);
    }
  }
  return fp;
}

describe('a 500 MB total-order sort with mr run --slots 2', () => {
  let dir: string;
  let input: Fingerprint;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-sort500-'));
    fs.mkdirSync(path.join(dir, 'in'));
    input = writeInput(path.join(dir, 'in'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives part files that, read in partition order, are sorted and hold exactly the input', async (t) => {
    const out = path.join(dir, 'out');
    const started = Date.now();
    const r = await runMr(
      ['run', 'jobs/sort.ts', '--input', path.join(dir, 'in'), '--slots', '2', '--partitions', '4', '--output', out],
      { timeoutMs: 600_000 },
    );
    t.diagnostic(`mr run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(r.code, 0, r.stderr);
    const parts = partFiles(out);
    assert.equal(parts.length, 4);
    // The sampled split points balance the partitions: none holds more than a third of the bytes.
    for (const p of parts) assert.ok(fs.statSync(p).size < (RECORDS * RECORD_BYTES) / 3, `${p} is too big`);
    const output = scanOutput(parts);
    assert.deepEqual({ ...output }, { ...input });
  });
});
