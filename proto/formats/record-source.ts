/**
 * A pull-based stream of encoded records, sorted or not. Sources hand out views into
 * their own buffers so the hot paths of sort, merge and reduce never copy a record:
 * `key` and `value` are valid only until the next call of `next()` on the same source.
 */
export interface RecordSource {
  /** Advances to the next record; false at the end (key and value are then undefined behaviour). */
  next(): boolean;
  /** The current record's encoded key (order-preserving bytes, see key-codec.ts). */
  readonly key: Buffer;
  /** The current record's encoded value (see value-codec.ts). */
  readonly value: Buffer;
  /** Releases file handles; safe to call twice. */
  close(): void;
  /**
   * Appends the current record to `sink`: in one piece when the source holds it framed as
   * in a record file (then without making the key and value views). Optional: without
   * it, callers write `key` and `value`.
   */
  copyCurrentTo?(sink: FramedRecordSink): void;
  /**
   * Stores the current key's first 8 bytes, big-endian and zero-padded, as high[i] and
   * low[i] (what a merge compares first), without making the key view. Optional.
   */
  keyPrefixInto?(high: Uint32Array, low: Uint32Array, i: number): void;
  /** Whether the current key is byte for byte `key`, without making the key view. Optional. */
  keyEquals?(key: Buffer): boolean;
  /**
   * Whether the next record's key is byte for byte the current one's, without moving to
   * it or making views (false at the last record). Optional: a source that holds its
   * sorted records in memory answers cheaply, so a combining writer can copy a key's only
   * record whole instead of opening a group for it.
   */
  nextKeyEquals?(): boolean;
  /**
   * The current key compared with `other`'s current key (negative, 0, positive), without
   * views when both hold their records in buffers of their own kind. Optional.
   */
  compareKeyTo?(other: RecordSource): number;
}

/** Stores the first 8 bytes of buf[start, start + length), big-endian and zero-padded, as high[i] and low[i]. */
export function storeKeyPrefix(
  buf: Uint8Array,
  start: number,
  length: number,
  high: Uint32Array,
  low: Uint32Array,
  i: number,
): void {
  if (length >= 8) {
    // Indexing, not readUInt32BE: no bounds checks or argument validation per record.
    high[i] =
      ((buf[start] as number) << 24) |
      ((buf[start + 1] as number) << 16) |
      ((buf[start + 2] as number) << 8) |
      (buf[start + 3] as number);
    low[i] =
      ((buf[start + 4] as number) << 24) |
      ((buf[start + 5] as number) << 16) |
      ((buf[start + 6] as number) << 8) |
      (buf[start + 7] as number);
    return;
  }
  let h = 0;
  let l = 0;
  for (let k = 0; k < length; k++) {
    const b = buf[start + k] as number;
    if (k < 4) h |= b << (24 - 8 * k);
    else l |= b << (56 - 8 * k);
  }
  // Uint32Array stores the shifted (possibly negative) int32s as their unsigned values.
  high[i] = h;
  low[i] = l;
}

/** Where encoded records go: a file writer, a network stream, a test array. */
export interface RecordSink {
  write(key: Buffer, value: Buffer): void;
}

/** A sink that also takes whole records already framed as in a record file (see record-file.ts). */
export interface FramedRecordSink extends RecordSink {
  /** Appends the records framed in src[start, end). */
  writeRecordBytes(src: Buffer, start: number, end: number): void;
}
