/**
 * A lazy view of a stream of encoded values as decoded ones: each value is decoded when
 * the user's loop reaches it, so a key with millions of values never sits in memory.
 * `onValue`, when given, is called once per value read (the reducer's record count and
 * progress). A plain iterator object, not a generator: this runs once per record.
 */
export function decodedValues(
  values: Iterable<Buffer>,
  decode: (bytes: Buffer) => unknown,
  onValue?: () => void,
): Iterable<unknown> {
  return {
    [Symbol.iterator](): Iterator<unknown> {
      const it = values[Symbol.iterator]();
      return {
        next(): IteratorResult<unknown> {
          const r = it.next();
          if (r.done) return { done: true, value: undefined };
          if (onValue) onValue();
          return { done: false, value: decode(r.value) };
        },
      };
    },
  };
}
