import type { TaskUpdate__Output } from '../proto/wire/generated/groove/TaskUpdate';
import { expectedAttemptDir } from './attempt-dir.js';
import type { CommittedOutput, Job } from './job.js';
import { attemptOutputUrl } from './output-target.js';
import type { Task } from './task.js';
import type { WorkerEntry } from './worker-registry.js';

/** Bounds on what a worker may report about one attempt. */
export const UPDATE_LIMITS = { maxCounters: 1000, maxCounterName: 200, maxError: 4096, maxErrorDetail: 16384 } as const;

/**
 * Checks a successful attempt's report before anything in it is trusted: output paths
 * must be exactly the attempt's own, offsets must describe R partitions of a file, and
 * counters must be few, short and finite. Returns why it is refused, or undefined.
 * (Workers are authenticated, but a bug or a compromised worker must not make the
 * master hand other workers or clients paths outside the data layout.)
 */
export function badSuccessReport(job: Job, task: Task, update: TaskUpdate__Output): string | undefined {
  const dir = expectedAttemptDir(job.id, task.id, update.attempt);
  if (task.kind === 'map' && !job.mapOnly) {
    const out = update.mapOutput;
    if (!out) return 'no map output';
    if (out.dir !== dir) return `map output dir ${JSON.stringify(out.dir)} is not the attempt's own`;
    const o = out.offsets;
    if (o.length !== job.spec.partitions + 1)
      return `map output has ${o.length} offsets for ${job.spec.partitions} partitions`;
    for (let i = 0; i < o.length; i++) {
      const v = o[i] as number;
      if (!Number.isSafeInteger(v) || v < 0 || (i > 0 && v < (o[i - 1] as number)))
        return 'map output offsets are not increasing byte positions';
    }
  } else {
    const out = update.reduceOutput;
    if (!out) return 'no reduce output';
    if (out.path !== `${dir}/part.data`) return `part file ${JSON.stringify(out.path)} is not the attempt's own`;
    if (!Number.isSafeInteger(out.records) || out.records < 0 || !Number.isSafeInteger(out.bytes) || out.bytes < 0)
      return 'bad part file size';
    // A job with an output store: the attempt committed its lines where it was told, and nowhere else.
    const output = job.spec.output;
    const lines = output ? attemptOutputUrl(output.url, job.id, task.id, update.attempt, task.index) : '';
    if (out.outputUrl !== lines)
      return `output ${JSON.stringify(out.outputUrl.slice(0, 200))} is not the attempt's own`;
  }
  const names = Object.keys(update.counters);
  if (names.length > UPDATE_LIMITS.maxCounters) return `more than ${UPDATE_LIMITS.maxCounters} counters`;
  for (const name of names) {
    if (name.length > UPDATE_LIMITS.maxCounterName || !Number.isFinite(update.counters[name]))
      return `bad counter ${JSON.stringify(name.slice(0, 50))}`;
  }
  return undefined;
}

/** A failure report's texts, cut to size. */
export function boundedError(update: TaskUpdate__Output): { error: string; errorDetail: string } {
  return {
    error: update.error.slice(0, UPDATE_LIMITS.maxError),
    errorDetail: update.errorDetail.slice(0, UPDATE_LIMITS.maxErrorDetail),
  };
}

/** True when this update is about the output the job committed (never delete that one). */
export function isCommitted(
  job: Job | undefined,
  task: Task | undefined,
  worker: WorkerEntry,
  update: TaskUpdate__Output,
): boolean {
  if (!job || !task) return false;
  const map = job.mapOutput(task);
  if (map) return map.workerId === worker.id && map.dir === update.mapOutput?.dir;
  const part = job.partFile(task);
  if (part) return part.workerId === worker.id && part.path === update.reduceOutput?.path;
  return false;
}

/** What a success report says the attempt wrote, if it is of the task's kind (a map-only job's maps write part files). */
export function committedOutput(job: Job, task: Task, update: TaskUpdate__Output): CommittedOutput | undefined {
  if (task.kind === 'map' && !job.mapOnly) return update.mapOutput ? { offsets: update.mapOutput.offsets } : undefined;
  return update.reduceOutput ? { records: update.reduceOutput.records, bytes: update.reduceOutput.bytes } : undefined;
}
