import * as path from 'node:path';
import { zipfText } from '../datagen/zipf-text.js';
import { measurement, seconds } from '../measurement.js';
import { BASELINES_DIR, BENCH_DIST, DATA_DIR, MR } from '../paths.js';
import { runTimed } from '../process-runner.js';
import { profileEnv } from '../profiling.js';
import { fasterThan } from '../ratio-check.js';
import { assertSameCounts, countDigest } from '../wordcount-digest.js';
import type { CountDigest } from '../wordcount-digest.js';
import type { BenchContext, Workload, WorkloadReport } from '../workload.js';

/**
 * Word count over Zipf text: `mr run jobs/wordcount.ts --slots 2` against the simple serial
 * Node script (blocks, one regex, a Map), the same job's functions run serially, the classic Python Pool(10) word count, and `tr|sort|uniq -c`.
 * Every run of every implementation must produce the same counts.
 */
/** Run times of each implementation, ms. */
interface Times {
  readonly groove: number[];
  readonly simple: number[];
  readonly serial: number[];
  readonly python: number[];
  readonly pipeline: number[];
}

/** One run of every baseline over the files, each writing its counts to out(name). */
async function runBaselines(
  ctx: BenchContext,
  files: readonly string[],
  out: (name: string) => string,
  times: Times,
): Promise<void> {
  const node = async (script: string, name: string): Promise<number> =>
    (await runTimed(process.execPath, [path.join(BENCH_DIST, 'baselines', script), out(name), ...files])).millis;
  ctx.log('wordcount: simple serial node');
  times.simple.push(await node('simple-wordcount.js', 'simple'));
  ctx.log('wordcount: serial node');
  times.serial.push(await node('serial-wordcount.js', 'serial'));
  ctx.log('wordcount: python pool');
  const py = [path.join(BASELINES_DIR, 'wordcount_pool.py'), ...files];
  times.python.push((await runTimed('python3', py, { stdoutFile: out('python') })).millis);
  ctx.log('wordcount: tr | sort | uniq -c');
  const sh = [path.join(BASELINES_DIR, 'wordcount-pipeline.sh'), ...files];
  times.pipeline.push((await runTimed('bash', sh, { stdoutFile: out('pipeline') })).millis);
}

export const wordcountWorkload: Workload = {
  id: 'wordcount',
  title: 'word count',
  async run(ctx: BenchContext): Promise<WorkloadReport> {
    const totalBytes = ctx.quick ? 10e6 : 200e6;
    const data = zipfText(path.join(DATA_DIR, ctx.quick ? 'wordcount-10MB' : 'wordcount-200MB'), {
      totalBytes,
      files: ctx.quick ? 4 : 8,
      seed: 1,
    });
    const out = (name: string): string => path.join(ctx.scratch, `wordcount-${name}.txt`);
    const times: Times = { groove: [], simple: [], serial: [], python: [], pipeline: [] };
    const peaks: number[] = [];
    let reference: CountDigest | undefined;
    for (let run = 0; run < ctx.runs; run++) {
      ctx.log(`wordcount run ${run + 1}/${ctx.runs}: groove`);
      const g = await runTimed(
        process.execPath,
        [MR, 'run', 'jobs/wordcount.ts', '--input', ...data.files, '--slots', '2'],
        { stdoutFile: out('groove'), watchPools: true, env: profileEnv(ctx, 'wordcount') },
      );
      times.groove.push(g.millis);
      peaks.push(...g.poolPeaks);
      const groove = countDigest(out('groove'), 'tab');
      await runBaselines(ctx, data.files, out, times);
      reference ??= countDigest(out('serial'), 'tab');
      assertSameCounts(reference, 'the serial baseline', groove, `groove (run ${run + 1})`);
      assertSameCounts(reference, 'the serial baseline', countDigest(out('simple'), 'tab'), 'the simple script');
      assertSameCounts(reference, 'the serial baseline', countDigest(out('python'), 'python'), 'the python pool');
      assertSameCounts(reference, 'the serial baseline', countDigest(out('pipeline'), 'uniq'), 'the pipeline');
    }
    const groove = measurement('mr run --slots 2', 's', times.groove.map(seconds));
    const simple = measurement('simple serial node', 's', times.simple.map(seconds));
    const serial = measurement('serial node (job functions)', 's', times.serial.map(seconds));
    const python = measurement('python Pool(10)', 's', times.python.map(seconds));
    const pipeline = measurement('tr|sort|uniq -c', 's', times.pipeline.map(seconds));
    return {
      id: this.id,
      title: `${this.title}, ${Math.round(data.bytes / 1e6)} MB Zipf text`,
      groove,
      baselines: [simple, serial, python, pipeline],
      checks: [
        fasterThan(groove, simple, 1.7),
        fasterThan(groove, serial, 1.7),
        fasterThan(groove, python, 8),
        fasterThan(groove, pipeline, 2),
      ],
      poolPeakRss: peaks,
      notes: [
        `Groove: wall time of \`mr run jobs/wordcount.ts --input <${data.files.length} files> --slots 2\` (start-up, bundling, embedded cluster and printing the results included), stdout to a file.`,
        `Every run's output was checked equal to the serial baseline's (${reference?.distinct ?? 0} distinct words, ${reference?.total ?? 0} tokens), and so were the simple script's, the Python and the pipeline outputs. The simple serial script (bench/baselines/simple-wordcount.ts) is what a Node user writes without a framework: 4 MiB blocks, one regex per block, a Map.`,
      ],
      details: {
        inputBytes: data.bytes,
        files: data.files.length,
        distinctWords: reference?.distinct,
        tokens: reference?.total,
      },
    };
  },
};
