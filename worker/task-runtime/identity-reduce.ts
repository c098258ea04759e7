import type { FramedRecordSink, RecordSource } from '../../proto/formats/index.js';

/**
 * The reduce of a job that has none: every merged record goes to the part file as it is.
 * The identity reduce would decode each key and value only to encode them again, and the
 * codecs round-trip (docs/keys.md), so copying the bytes gives the same records at a
 * fraction of the cost (no decoding, no per-value generator, no garbage per record).
 * Records the source holds framed are copied whole (copyCurrentTo). Calls onRecord after
 * each record; returns how many were copied.
 */
export function copyRecords(source: RecordSource, sink: FramedRecordSink, onRecord: () => void): number {
  let records = 0;
  if (source.copyCurrentTo) {
    while (source.next()) {
      source.copyCurrentTo(sink);
      records++;
      onRecord();
    }
    return records;
  }
  while (source.next()) {
    sink.write(source.key, source.value);
    records++;
    onRecord();
  }
  return records;
}
