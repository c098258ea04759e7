import { RecordFileError, RecordFileReader } from '../../proto/formats/index.js';
import type { FramedRecordSink, RecordSource } from '../../proto/formats/index.js';
import type { RecordFileWriter } from '../../proto/formats/index.js';
import { forEachGroup } from './group-by-key.js';
import { mergeSources } from './kway-merge.js';

/** A byte-level combiner (the same shape as map-output-buffer's ByteCombiner, kept here to avoid an import cycle). */
type Combiner = (key: Buffer, values: Iterable<Buffer>, emit: (key: Buffer, value: Buffer) => void) => void;

/**
 * A sorted run on disk: a record file holding every partition in order, each sorted by key.
 * Partition p is the byte range [offsets[p], offsets[p+1]).
 */
export interface SortedRun {
  readonly path: string;
  readonly offsets: readonly number[];
}

/**
 * Copies a sorted source to a writer, through the combiner when there is one. Returns the
 * number of records written. A combiner may only emit its group's key: any other key could
 * land out of order or in another partition, and the reducers would silently go wrong.
 * With `keepSingles` (the combiner passes a key's only value through unchanged), a key
 * with one record is copied whole, the combiner not called, when the source can tell.
 */
export function writeSorted(
  source: RecordSource,
  writer: RecordFileWriter,
  combiner: Combiner | undefined,
  keepSingles = false,
): number {
  let records = 0;
  if (!combiner) {
    if (source.copyCurrentTo) {
      while (source.next()) {
        source.copyCurrentTo(writer);
        records++;
      }
      return records;
    }
    while (source.next()) {
      writer.write(source.key, source.value);
      records++;
    }
    return records;
  }
  let groupKey: Buffer = Buffer.alloc(0);
  const emit = (key: Buffer, value: Buffer): void => {
    if (!key.equals(groupKey)) {
      throw new Error(
        'combiner emitted a key other than the one it was given; a combiner must keep its keys unchanged',
      );
    }
    writer.write(key, value);
    records++;
  };
  const single = keepSingles
    ? (only: RecordSource): void => {
        if (only.copyCurrentTo) only.copyCurrentTo(writer);
        else writer.write(only.key, only.value);
        records++;
      }
    : undefined;
  forEachGroup(
    source,
    (key, values) => {
      groupKey = key;
      combiner(key, values, emit);
    },
    { single },
  );
  return records;
}

/**
 * Merges runs partition by partition into `writer` (combining groups when there is a
 * combiner) and returns the output's partition offsets and record count. Each run file is
 * opened once and read front to back, so memory is one read block per run, whatever the
 * number of partitions. Ties go to the earlier run, which keeps values in insertion order.
 * `last`, when given, is one more run still in memory, after all the others: it is asked
 * for each partition's sorted records once, in partition order.
 */
export function mergeRuns(
  runs: readonly SortedRun[],
  partitions: number,
  writer: RecordFileWriter,
  combiner: Combiner | undefined,
  blockBytes: number,
  last?: (partition: number) => RecordSource,
): { offsets: number[]; records: number } {
  const offsets: number[] = [];
  let records = 0;
  const cursors: PartitionCursor[] = [];
  try {
    for (const run of runs) {
      cursors.push(
        new PartitionCursor(run, RecordFileReader.open(run.path, 0, run.offsets[partitions], { blockBytes })),
      );
    }
    const live: RecordSource[] = [];
    for (let p = 0; p < partitions; p++) {
      offsets.push(writer.endBlock());
      live.length = 0;
      for (const cursor of cursors) if (cursor.startPartition(p)) live.push(cursor);
      if (last) live.push(last(p));
      if (live.length > 0) records += writeSorted(mergeSources(live), writer, combiner);
    }
    offsets.push(writer.endBlock());
  } finally {
    for (const cursor of cursors) cursor.reader.close();
  }
  return { offsets, records };
}

/** A run's reader, bounded to one partition at a time. */
class PartitionCursor implements RecordSource {
  private limit = 0;

  constructor(
    private readonly run: SortedRun,
    readonly reader: RecordFileReader,
  ) {}

  /** Bounds the cursor to partition p; false when the run has no records there. */
  startPartition(p: number): boolean {
    const start = this.run.offsets[p] as number;
    // The previous partition must have been read to its end; anything else is a corrupt run.
    if (this.reader.offset !== start) {
      throw new RecordFileError(this.run.path, this.reader.offset, `partition ${p} should start here at ${start}`);
    }
    this.limit = this.run.offsets[p + 1] as number;
    return this.limit > start;
  }

  get key(): Buffer {
    return this.reader.key;
  }

  get value(): Buffer {
    return this.reader.value;
  }

  copyCurrentTo(sink: FramedRecordSink): void {
    this.reader.copyCurrentTo(sink);
  }

  keyPrefixInto(high: Uint32Array, low: Uint32Array, i: number): void {
    this.reader.keyPrefixInto(high, low, i);
  }

  next(): boolean {
    return this.reader.offset < this.limit && this.reader.next();
  }

  /** The reader outlives the partition, so closing the partition's merge must not close it. */
  close(): void {}
}
