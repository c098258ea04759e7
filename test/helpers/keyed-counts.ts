import type { Key } from '../../common/index.js';
import { mulberry32 } from './prng.js';

/** Sums the numeric values of (key, value) pairs per key (keys compared as JSON). */
export function sumByKey(pairs: readonly (readonly [Key, unknown])[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of pairs) out.set(JSON.stringify(k), (out.get(JSON.stringify(k)) ?? 0) + (v as number));
  return out;
}

/**
 * `count` seeded (key, small count) pairs with a skewed key distribution over about 300
 * keys, every third a tuple key: what map-side combining sees from a word count.
 */
export function skewedCounts(seed: number, count: number): [Key, number][] {
  const rnd = mulberry32(seed);
  const out: [Key, number][] = [];
  for (let i = 0; i < count; i++) {
    const n = Math.floor(rnd() ** 3 * 300);
    out.push([i % 3 === 0 ? ['t', n] : `w${n}`, 1 + Math.floor(rnd() * 3)]);
  }
  return out;
}
