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
