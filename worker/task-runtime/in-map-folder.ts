import type { Key } from '../../common/index.js';
import { checkValue } from '../../proto/formats/index.js';
import { encodeKey } from '../../proto/formats/index.js';
import { ENTRY_OVERHEAD, roughSize } from './rough-size.js';
import { NOT_SHORT, ShortKeyTable } from './short-key-table.js';
import { UserCodeError } from './user-code-error.js';

/** Rough bytes of a short-key table entry: its slot and value, at most half the slots used. */
const SHORT_ENTRY_BYTES = 48;

/** A job's binary combiner: two values of one key into one. */
export type Fold = (a: unknown, b: unknown) => unknown;

/**
 * In-mapper combining for a binary fold (`combine: (a, b) => a + b`): one running value
 * per key in a hash table, updated as pairs are emitted. Unlike {@link InMapCombiner} it
 * keeps no list per key and makes no call through the iterable combine protocol, so a
 * token costs one table lookup and one call of the fold: that is what makes a word count
 * cheaper per token inside Groove than a plain loop collecting values. Past about
 * `limitBytes` the table is flushed to `output` (the sort buffer), one record per key.
 *
 * Short Latin-1 string keys with number values (words and their counts) go to a
 * {@link ShortKeyTable}, about twice as fast per token as a `Map`; other string keys to a
 * `Map`. The first value that is not a number moves every short key into the `Map` for
 * the rest of the task, so a key is only ever in one of the two.
 */
export class InMapFolder {
  private short: ShortKeyTable | undefined = new ShortKeyTable();
  private readonly byString = new Map<string, unknown>();
  private readonly byEncoding = new Map<string, { readonly key: Key; value: unknown }>();
  private bytes = 0;

  constructor(
    private readonly limitBytes: number,
    private readonly fold: Fold,
    private readonly output: (key: Key, value: unknown) => void,
  ) {}

  add(key: Key, value: unknown): void {
    if (typeof key === 'string') {
      const short = this.short;
      if (short !== undefined) {
        if (typeof value === 'number') {
          const s = short.slotOf(key);
          if (s !== NOT_SHORT) {
            if (short.inserted) {
              short.values[s] = value;
              this.bytes += SHORT_ENTRY_BYTES;
            } else {
              const next = this.apply(key, short.values[s], value);
              if (typeof next === 'number') short.values[s] = next;
              else {
                this.leaveShortTable();
                this.byString.set(key, next);
                this.bytes += roughSize(next) - roughSize(0);
              }
            }
            if (this.bytes > this.limitBytes) this.flush();
            return;
          }
        } else {
          this.leaveShortTable();
        }
      }
      const table = this.byString;
      const prev = table.get(key);
      if (prev === undefined && !table.has(key)) {
        table.set(key, value);
        this.bytes += ENTRY_OVERHEAD + 2 * key.length + roughSize(value);
      } else {
        const next = this.apply(key, prev, value);
        table.set(key, next);
        // Numbers (the usual fold) keep their size: only other values are re-measured.
        if (typeof next !== 'number') this.bytes += roughSize(next) - roughSize(prev);
      }
    } else {
      // Other keys are told apart by their encoding (which also checks them now, at emit).
      const id = encodeKey(key).toString('latin1');
      const entry = this.byEncoding.get(id);
      if (!entry) {
        this.byEncoding.set(id, { key, value });
        this.bytes += ENTRY_OVERHEAD + 2 * id.length + roughSize(value);
      } else {
        const prev = entry.value;
        entry.value = this.apply(key, prev, value);
        if (typeof entry.value !== 'number') this.bytes += roughSize(entry.value) - roughSize(prev);
      }
    }
    if (this.bytes > this.limitBytes) this.flush();
  }

  /** Passes every key's running value on to the output and empties the table. */
  flush(): void {
    if (this.short !== undefined) {
      this.short.forEach(this.output);
      this.short.clear();
    }
    for (const [key, value] of this.byString) this.output(key, value);
    for (const { key, value } of this.byEncoding.values()) this.output(key, value);
    this.byString.clear();
    this.byEncoding.clear();
    this.bytes = 0;
  }

  /** Moves every short key into the `Map`, which takes all string keys from now on. */
  private leaveShortTable(): void {
    const short = this.short;
    if (short === undefined) return;
    this.short = undefined;
    short.forEach((key, value) => {
      this.byString.set(key, value);
      this.bytes += ENTRY_OVERHEAD + 2 * key.length + roughSize(value) - SHORT_ENTRY_BYTES;
    });
  }

  private apply(key: Key, a: unknown, b: unknown): unknown {
    try {
      const folded = this.fold(a, b);
      // Numbers, the usual fold, skip the check; anything else is refused as an emit would be.
      if (typeof folded !== 'number') checkValue(key, folded);
      return folded;
    } catch (err) {
      throw new UserCodeError('combine', err, `key ${JSON.stringify(key)}`);
    }
  }
}
