/**
 * A lazy view of a stream of encoded values as decoded ones: each value is decoded when
 * the user's loop reaches it, so a key with millions of values never sits in memory.
 */
export function decodedValues(values: Iterable<Buffer>, decode: (bytes: Buffer) => unknown): Iterable<unknown> {
  return {
    [Symbol.iterator](): Iterator<unknown> {
      const it = values[Symbol.iterator]();
      return {
        next(): IteratorResult<unknown> {
          const r = it.next();
          return r.done ? { done: true, value: undefined } : { done: false, value: decode(r.value) };
        },
      };
    },
  };
}
