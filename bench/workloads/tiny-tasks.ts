import * as fs from 'node:fs';
import * as path from 'node:path';
import { tinyFiles } from '../datagen/tiny-files.js';
import { measurement, seconds } from '../measurement.js';
import { BENCH_DIST, DATA_DIR } from '../paths.js';
import { runTimed } from '../process-runner.js';
import { profileEnv } from '../profiling.js';
import { bound } from '../ratio-check.js';
import type { TinyJobReport } from '../runners/tiny-job-runner.js';
import type { BenchContext, Workload, WorkloadReport } from '../workload.js';

/** Words in a set of small text files (single spaces, as the generator writes them). */
function countWords(files: readonly string[]): number {
  let n = 0;
  for (const f of files)
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) if (line) n += line.split(' ').length;
  return n;
}

/**
 * Per-task overhead: jobs/wordcount.ts over many files of a few bytes (one map task per
 * file: submitted with packInputs false, or the master would pack them into a few tasks) on an EmbeddedCluster with 2 slots, submitted with the SDK. Tasks per second =
 * map tasks / (finishedAt - submittedAt) of the job's status, so the reduce tail counts.
 */
export const tinyTasksWorkload: Workload = {
  id: 'tiny-tasks',
  title: 'tiny map tasks',
  async run(ctx: BenchContext): Promise<WorkloadReport> {
    const count = ctx.quick ? 1000 : 10_000;
    const data = tinyFiles(path.join(DATA_DIR, `tiny-${count}`), { files: count, seed: 4 });
    const words = countWords(data.files);
    const rates: number[] = [];
    const jobSeconds: number[] = [];
    const wall: number[] = [];
    const peaks: number[] = [];
    const out = path.join(ctx.scratch, 'tiny.json');
    for (let run = 0; run < ctx.runs; run++) {
      ctx.log(`tiny tasks run ${run + 1}/${ctx.runs}: ${count} maps`);
      const r = await runTimed(
        process.execPath,
        [path.join(BENCH_DIST, 'runners', 'tiny-job-runner.js'), 'jobs/wordcount.ts', data.dir, '2', '2'],
        { stdoutFile: out, watchPools: true, env: profileEnv(ctx, 'tiny-tasks') },
      );
      const report = JSON.parse(fs.readFileSync(out, 'utf8')) as TinyJobReport;
      if (report.maps !== count) throw new Error(`tiny tasks: expected ${count} map tasks, the job had ${report.maps}`);
      if (report.valueSum !== words)
        throw new Error(`tiny tasks: counted ${report.valueSum} words, the files hold ${words}`);
      const ms = report.finishedAt - report.submittedAt;
      jobSeconds.push(seconds(ms));
      rates.push(report.maps / seconds(ms));
      wall.push(seconds(r.millis));
      peaks.push(...r.poolPeaks);
    }
    const groove = measurement('maps / job time', 'tasks/s', rates);
    const time = measurement('job time (submitted to finished)', 's', jobSeconds);
    return {
      id: this.id,
      title: `${count.toLocaleString('en-US')} tiny map tasks`,
      groove,
      baselines: [],
      checks: [
        bound(
          'tasks per second',
          groove.median,
          `${Math.round(groove.median).toLocaleString('en-US')} tasks/s`,
          '>=',
          1000,
          '1,000 tasks/s',
        ),
      ],
      poolPeakRss: peaks,
      notes: [
        `Groove: jobs/wordcount.ts over ${count} files of 1-3 lines (${words} words), 2 partitions, submitted with the SDK's GrooveClient (packInputs: false, one map task per file) to an EmbeddedCluster with 2 slots; rate = map tasks / (finishedAt - submittedAt) from the job's status (the ${2} reduces of ${count} map outputs each are inside that time).`,
        'The word counts of every run were checked against the files.',
      ],
      details: { files: count, words, jobSeconds: time, runnerWallSeconds: wall },
    };
  },
};
