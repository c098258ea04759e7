import * as fs from 'node:fs';
import * as path from 'node:path';
import { cachedDataset } from '../datagen/dataset-cache.js';
import type { Dataset } from '../datagen/dataset-cache.js';
import { measurement, seconds } from '../measurement.js';
import { DATA_DIR, MR } from '../paths.js';
import { runTimed } from '../process-runner.js';
import { profileEnv } from '../profiling.js';
import { bound } from '../ratio-check.js';
import { countDigest } from '../wordcount-digest.js';
import type { BenchContext, Workload, WorkloadReport } from '../workload.js';

/** `files` files of one line `word<i> common\n` each: every file adds one map task and two words. */
function oneLineFiles(dir: string, files: number): Dataset {
  return cachedDataset(dir, { kind: 'one-line-files', files }, (out) => {
    const names: string[] = [];
    for (let i = 0; i < files; i++) {
      const name = `line-${String(i).padStart(5, '0')}.txt`;
      fs.writeFileSync(path.join(out, name), `word${i} common\n`);
      names.push(name);
    }
    return names;
  });
}

/**
 * `mr run` end to end on the smallest jobs: start-up (one one-line file) and many tiny
 * tasks, rate = (N - 1) / (time for N one-line files, one task each - time for one file),
 * so plan, schedule, run, report and results are all inside it and the start-up is not.
 */
export const runOverheadWorkload: Workload = {
  id: 'run-overhead',
  title: 'mr run start-up and tiny tasks',
  async run(ctx: BenchContext): Promise<WorkloadReport> {
    const n = ctx.quick ? 200 : 2000;
    const one = oneLineFiles(path.join(DATA_DIR, 'one-line-1'), 1);
    const many = oneLineFiles(path.join(DATA_DIR, `one-line-${n}`), n);
    const out = path.join(ctx.scratch, 'run-overhead.txt');
    const run = async (data: Dataset): Promise<{ millis: number; cpu: number }> => {
      const args = [MR, 'run', 'jobs/wordcount.ts', '--input', data.dir, '--slots', '2', '--no-pack-inputs'];
      const r = await runTimed(process.execPath, args, {
        stdoutFile: out,
        cpu: true,
        env: profileEnv(ctx, 'run-overhead'),
      });
      const d = countDigest(out, 'tab');
      if (d.total !== 2 * data.files.length || d.distinct !== data.files.length + 1)
        throw new Error(`mr run over ${data.files.length} one-line files counted ${d.total} words`);
      return { millis: r.millis, cpu: r.cpuSeconds ?? NaN };
    };
    const startup: number[] = [];
    const manyTimes: number[] = [];
    const cpuOne: number[] = [];
    const cpuMany: number[] = [];
    for (let i = 0; i < ctx.runs; i++) {
      ctx.log(`run-overhead run ${i + 1}/${ctx.runs}: 1 file, then ${n} files`);
      const a = await run(one);
      const b = await run(many);
      startup.push(a.millis);
      manyTimes.push(b.millis);
      cpuOne.push(a.cpu);
      cpuMany.push(b.cpu);
      ctx.log(
        `run-overhead: 1 file ${a.millis.toFixed(0)} ms (${a.cpu} CPU-s), ${n} files ${b.millis.toFixed(0)} ms (${b.cpu} CPU-s)`,
      );
    }
    const rates = manyTimes.map((t, i) => (n - 1) / seconds(t - (startup[i] as number)));
    const rate = measurement(`(N - 1) / (t(${n} files) - t(1 file))`, 'tasks/s', rates);
    const start = measurement('mr run, one one-line file', 's', startup.map(seconds));
    const many_ = measurement(`mr run, ${n} one-line files`, 's', manyTimes.map(seconds));
    const cpuPerTask = measurement(
      'CPU ms per task',
      'ms',
      cpuMany.map((c, i) => ((c - (cpuOne[i] as number)) * 1000) / (n - 1)),
    );
    const startCpu = measurement('start-up CPU', 'CPU-s', cpuOne);
    const shownRate = `${Math.round(rate.median).toLocaleString('en-US')} tasks/s`;
    return {
      id: this.id,
      title: `mr run: ${n} one-line files, one task each`,
      groove: rate,
      baselines: [start, many_],
      checks: [
        bound('tiny tasks through mr run', rate.median, shownRate, '>=', 3000, '3,000 tasks/s'),
        {
          ...bound('start-up', start.median, `${start.median.toFixed(2)} s`, '<', 0.4, '0.4 s'),
          measured: `${start.median.toFixed(2)} s (mr run, one one-line file)`,
        },
      ],
      poolPeakRss: [],
      notes: [
        `\`mr run jobs/wordcount.ts --input DIR --slots 2 --no-pack-inputs\` (one map task per file, the job's 4 partitions) over 1 and over ${n} one-line files, interleaved; rate = (N - 1) / (difference of the wall times). Start-up = the one-file run (bundling, embedded cluster, pool start, one job, results).`,
        "Every run's counts were checked against the files.",
      ],
      details: { files: n, startupSeconds: start, manySeconds: many_, startCpu, cpuPerTask },
    };
  },
};
