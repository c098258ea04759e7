import type { RecordSource } from '../../proto/formats/index.js';

const EMPTY = Buffer.alloc(0);

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Where a record's group key ends in its encoded key (secondary sort: the end of the key's
 * first n tuple elements); records are in the same group when these prefixes are equal.
 */
export type GroupEnd = (key: Buffer) => number;

/** How {@link forEachGroup} groups, and who gets the keys that have one record. */
export interface GroupOptions {
  /** Group by a prefix of the key (secondary sort); default the whole key. */
  readonly groupEnd?: GroupEnd | undefined;
  /** Gets each key with one record instead of fn, when the source can tell. */
  readonly single?: ((source: RecordSource) => void) | undefined;
}

/**
 * Calls fn once per distinct key of a sorted source with a streamed iterable of that key's
 * values (views valid during one iteration step).
 *
 * - The key passed to fn is a copy, stable for the whole call (and after).
 * - Values are pulled from the source as they are iterated, never collected, so a key may
 *   have any number of values. Values that fn does not consume are skipped before the next
 *   group.
 * - `values` is single pass, like a generator: once an iteration has ended (run out, or left
 *   with `break`/`return`/a throw), iterating it again yields nothing. It also yields
 *   nothing once fn has returned.
 * - The iterator reuses one result object for every step, so read `value` before the next
 *   `next()` (as `for...of` does).
 *
 * Options:
 * - `groupEnd`: a group is every record whose key has the same first `groupEnd(key)` bytes,
 *   and the key passed to fn is those bytes (a sorted source keeps such records together: a
 *   prefix of sorted keys is sorted).
 * - `single`: a key whose only record it is (as the source's `nextKeyEquals` tells, when it
 *   has one) goes to `single` instead, with the source on that record, and fn is not called
 *   for it. Sources without `nextKeyEquals`, and groupings by `groupEnd` (where one full key
 *   may be one of many in its group), give every key to fn.
 *
 * The source must be sorted by key (byte order); the caller keeps ownership and closes it.
 * An exception from fn propagates at once, leaving the source mid-group.
 */
export function forEachGroup(
  source: RecordSource,
  fn: (key: Buffer, values: Iterable<Buffer>) => void,
  options: GroupOptions = {},
): void {
  if (!source.next()) return;
  const { groupEnd, single } = options;
  const cursor = new GroupCursor(source, groupEnd);
  // A key with one record costs a group (a key copy, an iterable) only when someone wants one.
  const lookAhead = single !== undefined && groupEnd === undefined && source.nextKeyEquals !== undefined;
  for (;;) {
    if (lookAhead && !(source.nextKeyEquals as () => boolean)()) {
      single(source);
      if (!source.next()) return;
      continue;
    }
    const values = cursor.startGroup();
    fn(cursor.groupKey, values);
    values.end();
    cursor.skipRest();
    if (cursor.exhausted) return;
  }
}

/**
 * The state of one forEachGroup call: the source is always either on the current group's
 * first, not yet yielded record (`pendingFirst`), on its last yielded record, or on the
 * next group's first record (`groupOpen` false).
 */
class GroupCursor {
  groupKey: Buffer = EMPTY;
  exhausted = false;
  private pendingFirst = false;
  private groupOpen = false;
  /** Reused for every value: `for...of` reads it before asking for the next one. */
  private readonly result: IteratorYieldResult<Buffer> = { done: false, value: EMPTY };

  constructor(
    private readonly source: RecordSource,
    private readonly groupEnd?: GroupEnd,
  ) {}

  /** Opens the group of the source's current record. */
  startGroup(): GroupValues {
    const key = this.source.key;
    this.groupKey = Buffer.from(this.groupEnd ? key.subarray(0, this.groupEnd(key)) : key);
    this.pendingFirst = true;
    this.groupOpen = true;
    return new GroupValues(this);
  }

  nextValue(): IteratorResult<Buffer, undefined> {
    if (!this.groupOpen) return DONE;
    const source = this.source;
    if (this.pendingFirst) {
      this.pendingFirst = false;
    } else if (!source.next()) {
      this.exhausted = true;
      this.groupOpen = false;
      return DONE;
    } else if (!this.inGroup()) {
      this.groupOpen = false;
      return DONE;
    }
    this.result.value = source.value;
    return this.result;
  }

  /** Whether the source's current record belongs to the open group. */
  private inGroup(): boolean {
    const source = this.source;
    if (!this.groupEnd) return source.keyEquals ? source.keyEquals(this.groupKey) : source.key.equals(this.groupKey);
    const key = source.key;
    const n = this.groupKey.length;
    // Equal prefixes have equal lengths: the encoding is self-delimiting.
    return key.length >= n && key.compare(this.groupKey, 0, n, 0, n) === 0 && this.groupEnd(key) === n;
  }

  skipRest(): void {
    while (this.groupOpen) this.nextValue();
  }
}

/** One group's values. A fresh object per group, so a stale iterable can never read another group's values. */
class GroupValues implements IterableIterator<Buffer> {
  private ended = false;

  constructor(private readonly cursor: GroupCursor) {}

  [Symbol.iterator](): IterableIterator<Buffer> {
    return this;
  }

  next(): IteratorResult<Buffer, undefined> {
    if (this.ended) return DONE;
    const result = this.cursor.nextValue();
    if (result.done) this.ended = true;
    return result;
  }

  /** Called by `for...of` on an early exit: the iteration is over for good. */
  return(): IteratorResult<Buffer, undefined> {
    this.ended = true;
    return DONE;
  }

  /** Detaches the iterable once its group is over. */
  end(): void {
    this.ended = true;
  }
}
