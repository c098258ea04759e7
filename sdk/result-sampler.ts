import type { Key } from '../common/index.js';
import { isResultUri, parseResultUri, resultUri } from '../proto/formats/index.js';
import type { ResultLocation__Output } from '../proto/wire/generated/groove/ResultLocation';
import type { ResultLocations__Output } from '../proto/wire/generated/groove/ResultLocations';

/**
 * What the sampler needs of a master connection to read an earlier job's results: the
 * GrooveClient that submits the job is one (structurally, so this module does not import it).
 */
export interface ResultSource {
  /** Where the job's part files are. */
  resultLocations(jobId: string): Promise<ResultLocations__Output>;
  /** The records of one part file, in key order; stopping the iteration stops the read. */
  readPart(jobId: string, part: ResultLocation__Output): AsyncGenerator<[Key, unknown]>;
}

/** One partition of an earlier job's results to read records from for the sample. */
export interface ResultPlace {
  readonly jobId: string;
  readonly part: ResultLocation__Output;
  /** `mr://JOB/PARTITION`, the input name the job's map sees (ctx.input). */
  readonly name: string;
}

/**
 * The partitions of the `mr://` inputs to sample, at most `limit` of them, evenly spaced
 * over all of them (so the sample spreads over the earlier jobs' partitions). An input
 * whose job is unknown or not finished gives none: the master says what is wrong with it
 * when the job is submitted.
 */
export async function resultPlacesOf(
  source: ResultSource,
  inputs: readonly string[],
  limit: number,
): Promise<ResultPlace[]> {
  const all: ResultPlace[] = [];
  for (const input of inputs) {
    if (!isResultUri(input)) continue;
    try {
      const uri = parseResultUri(input);
      const locations = await source.resultLocations(uri.jobId);
      const parts = locations.parts
        .filter((p) => uri.partition === undefined || p.partition === uri.partition)
        .sort((a, b) => a.partition - b.partition);
      for (const part of parts) all.push({ jobId: uri.jobId, part, name: resultUri(uri.jobId, part.partition) });
    } catch {
      // Not ours to judge: submitting refuses it with the master's own one-line error.
    }
  }
  if (all.length <= limit) return all;
  return Array.from({ length: limit }, (_, i) => all[Math.floor((i * all.length) / limit)] as ResultPlace);
}

/**
 * Hands the records of one sampled partition to `onRecord` until it throws (the caller's
 * way to say it has enough), the partition ends, or `deadline` (a `Date.now()` time)
 * passes: then the read is dropped and the partition gives what it gave so far, so a
 * worker slow to answer (or a large part file, which its worker verifies whole before the
 * first byte goes) holds up the submission for a bounded time and never fails it; the job's
 * own map tasks then read the partition, or say what is wrong with it.
 * @returns false when the deadline cut the read short.
 * @throws whatever `onRecord` throws, and the reader's errors (UserError for a corrupt part).
 */
export async function readResultPlace(
  source: ResultSource,
  place: ResultPlace,
  deadline: number,
  onRecord: (record: [Key, unknown]) => void,
): Promise<boolean> {
  if (Date.now() >= deadline) return false;
  const records = source.readPart(place.jobId, place.part);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()));
  });
  let done = false;
  try {
    for (;;) {
      const next = await Promise.race([records.next(), late]);
      if (next === 'late') return false;
      if (next.done === true) {
        done = true;
        return true;
      }
      onRecord(next.value);
    }
  } finally {
    clearTimeout(timer);
    // Stops the read (its finally cancels the stream); not awaited, as it may be stuck in a read.
    if (!done) records.return(undefined).catch(() => undefined);
  }
}

/**
 * An even random sample of `keep` records of the first `scan` records of one partition
 * (reservoir sampling), read as {@link readResultPlace} reads. A partition's records are
 * in its job's key order, so its first records alone would be its lowest keys: re-sorting
 * by the same key would put nearly every record above the split points, in the last
 * partition. Reading further, and keeping a spread of what was read, gives split points
 * spread over each partition that fits in `scan` records. The seed is fixed, so a given
 * result gives the same sample every time.
 */
export async function reservoirOf(
  source: ResultSource,
  place: ResultPlace,
  deadline: number,
  scan: number,
  keep: number,
): Promise<[Key, unknown][]> {
  const kept: [Key, unknown][] = [];
  let seen = 0;
  let state = 0x9e3779b9 ^ place.part.partition;
  // xorshift32: cheap, and any fixed sequence of fair draws will do here.
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  const stop = new Error('scanned enough');
  try {
    await readResultPlace(source, place, deadline, (record) => {
      if (kept.length < keep) kept.push(record);
      else {
        const at = Math.floor(random() * (seen + 1));
        if (at < keep) kept[at] = record;
      }
      if (++seen >= scan) throw stop;
    });
  } catch (err) {
    if (err !== stop) throw err;
  }
  return kept;
}
