import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AnyJob } from '../job-loader.js';
import type { FetchOpener } from '../shuffle/index.js';
import type { InputPiece, TaskResult, TaskSpec } from '../task-spec.js';
import { mapCounters, mapPieces } from './map-task.js';
import { PartFileOutput } from './part-file-output.js';
import { PART_FILE } from './reduce-task.js';
import { createTaskContext } from './task-context.js';
import type { JobLogSink } from './task-context.js';
import { runCleanup, runSetup } from './task-hooks.js';

/**
 * Runs one map attempt of a map-only job (docs/map-only.md): read the split's records ->
 * map -> the part file of this map's share of the results, records in emit order, with no
 * partitioner, sort, combiner or shuffle. The part file is written, staged and committed
 * as a reduce's is (part-file-output.ts), so every reader of results (`mr results`,
 * `--output`, stores, `mr://`) reads it the same way; part i is map task i's.
 */
export async function runMapOnlyTask(
  spec: TaskSpec,
  job: AnyJob,
  log: JobLogSink,
  progress: (coarse?: boolean) => void,
  openFetch?: FetchOpener,
): Promise<TaskResult> {
  const started = Date.now();
  const pieces = spec.input;
  if (!pieces?.length) throw new Error(`map task ${spec.taskId} has no input`);
  const ctx = createTaskContext(spec.taskId, spec.attempt, spec.params, (pieces[0] as InputPiece).path, log);
  const dir = path.join(spec.dataDir, spec.workDir);
  fs.mkdirSync(dir, { recursive: true });
  const out = await PartFileOutput.open(path.join(dir, PART_FILE), spec.output);
  let committed = false;
  try {
    const emit = out.write.bind(out);
    await runSetup(job, 'map', ctx);
    const read = await mapPieces(pieces, job, ctx, emit, progress, { spec, openFetch });
    await runCleanup(job, 'map', emit, ctx);
    const { records, bytes } = await out.commit();
    committed = true;
    return {
      kind: 'part',
      path: path.join(spec.workDir, PART_FILE),
      outputUrl: spec.output?.url,
      records,
      bytes,
      counters: mapCounters(ctx, read.replacedChars),
      stats: {
        recordsIn: read.records,
        recordsOut: records,
        bytesIn: read.bytesRead,
        bytesOut: bytes,
        millis: Date.now() - started,
        spills: 0,
      },
    };
  } finally {
    if (!committed) await out.abort();
  }
}
