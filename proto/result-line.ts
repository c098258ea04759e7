import type { Key } from './key-codec.js';

/** How results are printed: `KEY<TAB>VALUE` lines, or `[key, value]` JSON lines. */
export type ResultFormat = 'text' | 'jsonl';

/** Strings print raw in text format; everything else as JSON (bigints as their digits). */
function textField(x: unknown): string {
  return typeof x === 'string' ? x : toJson(x);
}

function toJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
}

/** One result record as one line (without the newline). */
export function formatRecord(key: Key, value: unknown, format: ResultFormat): string {
  return format === 'jsonl' ? toJson([key, value]) : `${textField(key)}\t${textField(value)}`;
}
