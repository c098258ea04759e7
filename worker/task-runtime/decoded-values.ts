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
  return { [Symbol.iterator]: () => new DecodedIterator(values[Symbol.iterator](), decode, onValue) };
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * One pass over decoded values: a class, so a group costs two small objects instead of
 * two closures and their contexts (a word count's reduce has a group per record or two).
 * Each step gets a fresh result: a user's loop may keep one.
 */
class DecodedIterator implements Iterator<unknown> {
  constructor(
    private readonly it: Iterator<Buffer>,
    private readonly decode: (bytes: Buffer) => unknown,
    private readonly onValue: (() => void) | undefined,
  ) {}

  next(): IteratorResult<unknown> {
    const r = this.it.next();
    if (r.done) return DONE;
    if (this.onValue) this.onValue();
    return { done: false, value: this.decode(r.value) };
  }
}
