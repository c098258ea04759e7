/**
 * Splits a byte stream of framed records (the record-file format: varint key length, key,
 * varint value length, value) arriving in arbitrary chunks, as from a gRPC stream, back
 * into records. Keeps only the unconsumed tail between chunks.
 */
export class RecordStreamDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** Feeds one chunk; calls onRecord for every record it completes (views valid during the call). */
  push(chunk: Buffer, onRecord: (key: Buffer, value: Buffer) => void): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let pos = 0;
    for (;;) {
      const k = readVarint(buf, pos);
      if (!k) break;
      const keyEnd = k.next + k.value;
      if (keyEnd > buf.length) break;
      const v = readVarint(buf, keyEnd);
      if (!v) break;
      const valueEnd = v.next + v.value;
      if (valueEnd > buf.length) break;
      onRecord(buf.subarray(k.next, keyEnd), buf.subarray(v.next, valueEnd));
      pos = valueEnd;
    }
    // Copy the tail so the caller's chunk can be released.
    this.pending = Buffer.from(buf.subarray(pos));
  }

  /** Throws if the stream ended inside a record. */
  end(): void {
    if (this.pending.length) throw new RangeError(`record stream ended inside a record (${this.pending.length} bytes left)`);
  }
}

function readVarint(buf: Buffer, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < buf.length; i++) {
    const b = buf[i] as number;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return { value, next: i + 1 };
    scale *= 128;
    if (scale > 2 ** 49) throw new RangeError('malformed record stream: varint too long');
  }
  return undefined;
}
