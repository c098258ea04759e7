import * as fs from 'node:fs';

/** An order-independent fingerprint of a set of records (lines). */
export interface RecordSum {
  readonly count: number;
  readonly sumA: number;
  readonly sumB: number;
}

/** Options of {@link scanRecords}. */
export interface ScanOptions {
  /** Drop the byte at this offset of each line first (Groove's `KEY<TAB>VALUE` text). */
  readonly dropByteAt?: number;
  /** Check that lines ascend by their first `keyBytes` bytes, across files in order. */
  readonly checkOrderOfKeyBytes?: number;
}

/**
 * Reads the lines of files in order; returns their fingerprint (count and two sums of
 * 32-bit FNV-1a hashes), and throws at the first key out of order when asked to check.
 */
export function scanRecords(files: readonly string[], options: ScanOptions = {}): RecordSum {
  const drop = options.dropByteAt ?? -1;
  const keyBytes = options.checkOrderOfKeyBytes ?? 0;
  // The previous key, copied into one reused buffer (a fresh one per record would churn).
  const previous = Buffer.alloc(keyBytes);
  let havePrevious = false;
  let count = 0;
  let sumA = 0;
  let sumB = 0;
  const block = Buffer.allocUnsafe(8 * 1024 * 1024);
  for (const file of files) {
    const fd = fs.openSync(file, 'r');
    let carry = Buffer.alloc(0);
    let offset = 0;
    try {
      for (;;) {
        const n = fs.readSync(fd, block, 0, block.length, offset);
        if (n === 0) break;
        offset += n;
        const data = carry.length ? Buffer.concat([carry, block.subarray(0, n)]) : block.subarray(0, n);
        let start = 0;
        for (let end = data.indexOf(0x0a, start); end >= 0; end = data.indexOf(0x0a, start)) {
          let h = 0x811c9dc5;
          for (let i = start; i < end; i++) {
            if (i - start === drop) continue;
            h = Math.imul(h ^ (data[i] as number), 0x01000193);
          }
          h >>>= 0;
          sumA = (sumA + h) >>> 0;
          sumB = (sumB + Math.imul(h, 0x9e3779b1)) >>> 0;
          count++;
          if (keyBytes) {
            const key = data.subarray(start, start + keyBytes);
            if (havePrevious && previous.compare(key) > 0)
              throw new Error(
                `${file}: record ${count} is out of order (${key.toString()} after ${previous.toString()})`,
              );
            key.copy(previous);
            havePrevious = true;
          }
          start = end + 1;
        }
        carry = Buffer.from(data.subarray(start));
      }
    } finally {
      fs.closeSync(fd);
    }
    if (carry.length) throw new Error(`${file}: last line has no line end`);
  }
  return { count, sumA, sumB };
}

/** Throws unless two fingerprints are the same records. */
export function assertSameRecords(expected: RecordSum, actual: RecordSum, what: string): void {
  if (expected.count !== actual.count || expected.sumA !== actual.sumA || expected.sumB !== actual.sumB) {
    throw new Error(`${what}: ${actual.count} records do not match the input's ${expected.count}`);
  }
}
