/** Rough bytes of a hash-table entry besides its key text and value: the entry, key object, slots. */
export const ENTRY_OVERHEAD = 96;

/**
 * A rough size of a value kept in memory by map-side combining, for its buffer limit. It
 * only has to be in proportion: the limit is a share of the sort buffer, not a hard cap.
 */
export function roughSize(value: unknown): number {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'undefined':
      return 16;
    case 'string':
      return 32 + 2 * value.length;
    default:
      if (Array.isArray(value)) return 32 + value.reduce((n: number, v: unknown) => n + roughSize(v), 0);
      return 128;
  }
}
