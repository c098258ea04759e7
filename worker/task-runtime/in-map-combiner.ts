import type { Key } from '../../common/index.js';
import { encodeKey } from '../../proto/formats/index.js';
import { ENTRY_OVERHEAD, roughSize } from './rough-size.js';

/** A user combine at the level of decoded values: given a key and its values, the values it emits. */
export type ValueCombiner = (key: Key, values: unknown[]) => unknown[];

/** Values gathered for one key before they are combined in place. */
const COMBINE_EVERY = 64;

/**
 * In-mapper combining: emitted pairs are grouped in a hash table by key and combined
 * there (every COMBINE_EVERY values of a key, and at flush), instead of each pair being
 * encoded, buffered and sorted. A word count then sorts one record per distinct word per
 * flush rather than one per token. The table holds at most about `limitBytes`; past that
 * everything is flushed to `output` (the sort buffer), one combined record per key.
 */
export class InMapCombiner {
  private readonly byString = new Map<string, unknown[]>();
  private readonly byEncoding = new Map<string, { readonly key: Key; values: unknown[] }>();
  private bytes = 0;

  constructor(
    private readonly limitBytes: number,
    private readonly combine: ValueCombiner,
    private readonly output: (key: Key, value: unknown) => void,
  ) {}

  add(key: Key, value: unknown): void {
    let values: unknown[] | undefined;
    if (typeof key === 'string') {
      values = this.byString.get(key);
      if (!values) {
        values = [];
        this.byString.set(key, values);
        this.bytes += ENTRY_OVERHEAD + 2 * key.length;
      }
    } else {
      // Other keys are told apart by their encoding (which also checks them now, at emit).
      const id = encodeKey(key).toString('latin1');
      let entry = this.byEncoding.get(id);
      if (!entry) {
        entry = { key, values: [] };
        this.byEncoding.set(id, entry);
        this.bytes += ENTRY_OVERHEAD + 2 * id.length;
      }
      values = entry.values;
    }
    values.push(value);
    this.bytes += roughSize(value);
    if (values.length >= COMBINE_EVERY) this.combineInPlace(key, values);
    if (this.bytes > this.limitBytes) this.flush();
  }

  /** Passes every key's combined values on to the output and empties the table. */
  flush(): void {
    for (const [key, values] of this.byString) this.emitAll(key, values);
    for (const { key, values } of this.byEncoding.values()) this.emitAll(key, values);
    this.byString.clear();
    this.byEncoding.clear();
    this.bytes = 0;
  }

  private emitAll(key: Key, values: unknown[]): void {
    const out = values.length > 1 ? this.combine(key, values) : values;
    for (const v of out) this.output(key, v);
  }

  private combineInPlace(key: Key, values: unknown[]): void {
    const before = values.reduce((n: number, v: unknown) => n + roughSize(v), 0);
    const out = this.combine(key, values);
    values.length = 0;
    for (const v of out) values.push(v);
    this.bytes += values.reduce((n: number, v: unknown) => n + roughSize(v), 0) - before;
  }
}
