import { endianness } from 'node:os';

/** Longest key the table holds: 15 characters, packed with the length into 16 bytes. */
export const SHORT_KEY_MAX_LENGTH = 15;

/**
 * Ints per slot: the key's 15 bytes and its length in four, then the value as a float64,
 * so a probe that finds its key has the value in the same cache line or the next.
 */
const SLOT_INTS = 6;
/** Float64s per slot, and the value's place among them. */
const SLOT_FLOATS = SLOT_INTS / 2;
const VALUE_FLOAT = 2;
const INITIAL_SLOTS = 1 << 12;

/** Result of {@link ShortKeyTable.slotOf} for a key the table cannot hold. */
export const NOT_SHORT = -1;

/**
 * An open-addressing hash table from short Latin-1 strings to numbers: the running values
 * of a binary fold over word-like keys (word counts, sums per id). The key's characters
 * are packed, with its length, into four 32-bit ints of the slot itself, so a probe
 * compares integers in one cache line instead of following a pointer to a string, and a
 * token's key is hashed from those ints by a few multiplications. V8's `Map` hashes each
 * fresh string in full, chains to an entry and compares the strings' characters: about
 * 100 ns a token on a 100,000-word table here, twice this table's cost (see
 * docs/performance.md).
 *
 * Keys of 1 to {@link SHORT_KEY_MAX_LENGTH} characters, each below U+0100, fit (the empty
 * string does not: length 0 marks an empty slot); {@link slotOf} returns
 * {@link NOT_SHORT} for the others, which the caller keeps elsewhere. Values live in a
 * Float64Array beside the slots, so they must be numbers.
 */
export class ShortKeyTable {
  /**
   * The slots as float64s: `values[slotOf(key)]` is the running value of the key
   * (meaningful only once set), the rest is packed keys.
   */
  values: Float64Array;
  /** Whether the last {@link slotOf} inserted its key (the slot's value is then unset). */
  inserted = false;
  private keys: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialSlots = INITIAL_SLOTS) {
    const slots = Math.max(16, 2 ** Math.ceil(Math.log2(initialSlots)));
    this.keys = new Int32Array(slots * SLOT_INTS);
    this.values = new Float64Array(this.keys.buffer);
    this.mask = slots - 1;
  }

  /** Keys in the table. */
  get size(): number {
    return this.count;
  }

  /**
   * The slot of `key`, inserted if absent ({@link inserted} tells which), or
   * {@link NOT_SHORT} if the key is empty, longer than {@link SHORT_KEY_MAX_LENGTH} or has
   * a character above U+00FF. A slot stays valid until the next insertion.
   */
  slotOf(key: string): number {
    const n = key.length;
    if (n === 0 || n > SHORT_KEY_MAX_LENGTH) return NOT_SHORT;
    // Bytes in little-endian order within each int, so the slot's memory holds the
    // characters in order (see forEach).
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    let w3 = n << 24;
    let i = 0;
    for (; i < n && i < 4; i++) {
      const c = key.charCodeAt(i);
      if (c > 0xff) return NOT_SHORT;
      w0 |= c << (i << 3);
    }
    for (; i < n && i < 8; i++) {
      const c = key.charCodeAt(i);
      if (c > 0xff) return NOT_SHORT;
      w1 |= c << ((i - 4) << 3);
    }
    for (; i < n && i < 12; i++) {
      const c = key.charCodeAt(i);
      if (c > 0xff) return NOT_SHORT;
      w2 |= c << ((i - 8) << 3);
    }
    for (; i < n; i++) {
      const c = key.charCodeAt(i);
      if (c > 0xff) return NOT_SHORT;
      w3 |= c << ((i - 12) << 3);
    }
    const keys = this.keys;
    const mask = this.mask;
    for (let s = hash(w0, w1, w2, w3) & mask; ; s = (s + 1) & mask) {
      const at = s * SLOT_INTS;
      const tail = keys[at + 3] as number;
      if (tail === 0) {
        keys[at] = w0;
        keys[at + 1] = w1;
        keys[at + 2] = w2;
        keys[at + 3] = w3;
        this.inserted = true;
        // Grown at half full, so probes stay short; the caller sets the value after this
        // returns, hence the slot is looked up again in the new arrays.
        if (++this.count * 2 > mask + 1) return this.grow(at);
        return s * SLOT_FLOATS + VALUE_FLOAT;
      }
      if (tail === w3 && keys[at] === w0 && keys[at + 1] === w1 && keys[at + 2] === w2) {
        this.inserted = false;
        return s * SLOT_FLOATS + VALUE_FLOAT;
      }
    }
  }

  /** Calls `visit` with every key and its value, in no particular order. */
  forEach(visit: (key: string, value: number) => void): void {
    const keys = this.keys;
    // The slots' bytes are the keys' characters in order on a little-endian machine: one
    // view over them decodes each key with a single call.
    const bytes = LITTLE_ENDIAN ? Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength) : undefined;
    const slots = this.mask + 1;
    for (let s = 0; s < slots; s++) {
      const at = s * SLOT_INTS;
      const tail = keys[at + 3] as number;
      if (tail === 0) continue;
      const n = tail >>> 24;
      visit(
        bytes ? bytes.toString('latin1', at * 4, at * 4 + n) : this.keyAt(at, n),
        this.values[s * SLOT_FLOATS + VALUE_FLOAT] as number,
      );
    }
  }

  /** Empties the table, keeping its arrays (the next task's keys are much the same). */
  clear(): void {
    this.keys.fill(0);
    this.count = 0;
  }

  /** The key of `n` characters packed at int `at`, on a big-endian machine. */
  private keyAt(at: number, n: number): string {
    let key = '';
    for (let i = 0; i < n; i++)
      key += String.fromCharCode(((this.keys[at + (i >> 2)] as number) >>> ((i & 3) << 3)) & 0xff);
    return key;
  }

  /** Doubles the table; returns the new value index of the key that was at int `movedAt`. */
  private grow(movedAt: number): number {
    const old = this.keys;
    const oldValues = this.values;
    const slots = (this.mask + 1) * 2;
    this.keys = new Int32Array(slots * SLOT_INTS);
    this.values = new Float64Array(this.keys.buffer);
    this.mask = slots - 1;
    let moved = -1;
    for (let at = 0; at < old.length; at += SLOT_INTS) {
      const w3 = old[at + 3] as number;
      if (w3 === 0) continue;
      const w0 = old[at] as number;
      const w1 = old[at + 1] as number;
      const w2 = old[at + 2] as number;
      let s = hash(w0, w1, w2, w3) & this.mask;
      while (this.keys[s * SLOT_INTS + 3] !== 0) s = (s + 1) & this.mask;
      const to = s * SLOT_INTS;
      this.keys[to] = w0;
      this.keys[to + 1] = w1;
      this.keys[to + 2] = w2;
      this.keys[to + 3] = w3;
      const value = s * SLOT_FLOATS + VALUE_FLOAT;
      this.values[value] = oldValues[(at / SLOT_INTS) * SLOT_FLOATS + VALUE_FLOAT] as number;
      if (at === movedAt) moved = value;
    }
    return moved;
  }
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** Mixes the packed key's ints; the multipliers are odd constants from MurmurHash3. */
function hash(w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w0, 0xcc9e2d51) ^ Math.imul(w1, 0x1b873593) ^ Math.imul(w2, 0x85ebca6b) ^ Math.imul(w3, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}
