import * as fs from 'node:fs';
import { Prng } from './prng.js';

/** Sample size the issue asks for: about 1,000 random lines per GB of input (at least 1,000). */
export function sampleSize(totalBytes: number): number {
  return Math.max(1000, Math.round((1000 * totalBytes) / 1e9));
}

/**
 * Reads `count` lines at random places of the files (each draw: a random byte, then the
 * next whole line), and returns their first `keyBytes` characters, sorted by bytes.
 */
export function sampleKeys(files: readonly string[], count: number, keyBytes: number, seed: number): string[] {
  const rng = new Prng(seed);
  const sizes = files.map((f) => fs.statSync(f).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const fds = files.map((f) => fs.openSync(f, 'r'));
  const buf = Buffer.alloc(64 * 1024);
  const keys: Buffer[] = [];
  try {
    while (keys.length < count) {
      let at = Math.floor(rng.next() * total);
      let i = 0;
      while (at >= (sizes[i] as number)) at -= sizes[i++] as number;
      const n = fs.readSync(fds[i] as number, buf, 0, buf.length, at);
      // A draw that lands at a file's start takes its first line; otherwise the line after.
      const start = at === 0 ? 0 : buf.indexOf(0x0a) + 1;
      if (start <= 0 || start + keyBytes > n) continue;
      keys.push(Buffer.from(buf.subarray(start, start + keyBytes)));
    }
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
  return keys.sort(Buffer.compare).map((k) => k.toString('utf8'));
}

/** R-1 split points at the quantiles of a sorted sample, for R partitions of about equal size. */
export function quantileSplits(sortedKeys: readonly string[], partitions: number): string[] {
  const splits: string[] = [];
  for (let p = 1; p < partitions; p++)
    splits.push(sortedKeys[Math.floor((p * sortedKeys.length) / partitions)] as string);
  return splits;
}
