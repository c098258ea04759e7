import { Packr } from 'msgpackr';

/**
 * Values travel as MessagePack: compact, fast, and it round-trips what users emit
 * (numbers, strings, arrays, plain objects, Dates, bigints, binary; a Map comes back as a
 * plain object and a Set as an array).
 * `useRecords: false` keeps every encoded value self-describing, so a value can be
 * decoded alone, in any process, without shared structure state.
 */
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'bigint', useBigIntExtension: true });

/** Encodes one value. */
export function encodeValue(value: unknown): Buffer {
  return packr.pack(value);
}

/** Decodes one value encoded by {@link encodeValue}. */
export function decodeValue(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}
