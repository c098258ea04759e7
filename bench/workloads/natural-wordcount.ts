import * as path from 'node:path';
import { naturalText } from '../datagen/natural-text.js';
import { measurement, seconds } from '../measurement.js';
import { BASELINES_DIR, BENCH_DIST, DATA_DIR, MR } from '../paths.js';
import { runTimed } from '../process-runner.js';
import { profileEnv } from '../profiling.js';
import { fasterThan } from '../ratio-check.js';
import { assertSameCounts, countDigest } from '../wordcount-digest.js';
import type { CountDigest } from '../wordcount-digest.js';
import type { BenchContext, Measurement, TargetCheck, Workload, WorkloadReport } from '../workload.js';

/** One way the natural-text corpus is laid out on disk, and what Groove must do on it. */
interface Layout {
  readonly id: string;
  /** Full size and quick size, bytes. */
  readonly bytes: number;
  readonly quickBytes: number;
  readonly files: number;
  readonly quickFiles: number;
  /** Times the simple serial script's time Groove must beat. */
  readonly simpleTarget: number;
  /** Times the Python Pool(10) word count's time Groove must beat; absent: Python not run. */
  readonly pythonTarget?: number;
}

/** The layouts of issue 18: 100 MB as 1, 16 and 64 files, 2,000 small files of 25 MB, 49 MB as one file. */
const LAYOUTS: readonly Layout[] = [
  { id: 'natural-1', bytes: 100e6, quickBytes: 8e6, files: 1, quickFiles: 1, simpleTarget: 1.7 },
  { id: 'natural-16', bytes: 100e6, quickBytes: 8e6, files: 16, quickFiles: 16, simpleTarget: 1.7 },
  { id: 'natural-64', bytes: 100e6, quickBytes: 8e6, files: 64, quickFiles: 64, simpleTarget: 1.7 },
  { id: 'natural-2000', bytes: 25e6, quickBytes: 2e6, files: 2000, quickFiles: 200, simpleTarget: 1.3 },
  { id: 'natural-49MB', bytes: 49e6, quickBytes: 4e6, files: 1, quickFiles: 1, simpleTarget: 1.7, pythonTarget: 8 },
];

/** The corpus's seed: every layout is the same text (of its size), cut differently. */
const SEED = 18;

function layoutWorkload(layout: Layout): Workload {
  return {
    id: layout.id,
    title: 'word count, natural text',
    run: (ctx) => runLayout(ctx, layout),
  };
}

async function runLayout(ctx: BenchContext, layout: Layout): Promise<WorkloadReport> {
  const bytes = ctx.quick ? layout.quickBytes : layout.bytes;
  const files = ctx.quick ? layout.quickFiles : layout.files;
  const mb = Math.round(bytes / 1e6);
  ctx.log(`${layout.id}: natural text, ${mb} MB as ${files} file${files > 1 ? 's' : ''}`);
  const data = naturalText(path.join(DATA_DIR, `natural-${mb}MB-${files}`), { totalBytes: bytes, files, seed: SEED });
  const out = (name: string): string => path.join(ctx.scratch, `${layout.id}-${name}.txt`);
  const times = { groove: [] as number[], simple: [] as number[], python: [] as number[] };
  const cpu = { groove: [] as number[], simple: [] as number[], python: [] as number[] };
  const peaks: number[] = [];
  let reference: CountDigest | undefined;
  for (let run = 0; run < ctx.runs; run++) {
    ctx.log(`${layout.id} run ${run + 1}/${ctx.runs}: groove`);
    const g = await runTimed(process.execPath, [MR, 'run', 'jobs/wordcount.ts', '--input', data.dir, '--slots', '2'], {
      stdoutFile: out('groove'),
      watchPools: true,
      cpu: true,
      env: profileEnv(ctx, layout.id),
    });
    times.groove.push(g.millis);
    cpu.groove.push(g.cpuSeconds ?? NaN);
    ctx.log(`${layout.id}: groove ${seconds(g.millis).toFixed(2)} s, ${g.cpuSeconds ?? NaN} CPU-s`);
    peaks.push(...g.poolPeaks);
    const groove = countDigest(out('groove'), 'tab');
    ctx.log(`${layout.id}: simple serial node`);
    const simpleArgs = [path.join(BENCH_DIST, 'baselines', 'simple-wordcount.js'), out('simple'), ...data.files];
    const s = await runTimed(process.execPath, simpleArgs, { cpu: true });
    times.simple.push(s.millis);
    cpu.simple.push(s.cpuSeconds ?? NaN);
    ctx.log(`${layout.id}: simple ${seconds(s.millis).toFixed(2)} s, ${s.cpuSeconds ?? NaN} CPU-s`);
    reference ??= countDigest(out('simple'), 'tab');
    assertSameCounts(reference, 'the simple serial script', groove, `groove (run ${run + 1})`);
    if (layout.pythonTarget !== undefined) {
      ctx.log(`${layout.id}: python pool`);
      const py = await runTimed('python3', [path.join(BASELINES_DIR, 'wordcount_pool.py'), ...data.files], {
        stdoutFile: out('python'),
        cpu: true,
      });
      cpu.python.push(py.cpuSeconds ?? NaN);
      times.python.push(py.millis);
      assertSameCounts(reference, 'the simple serial script', countDigest(out('python'), 'python'), 'the python pool');
    }
  }
  return layoutReport(layout, { mb, files, bytes: data.bytes }, times, cpu, peaks, reference);
}

/** The report of one layout from its runs' times (ms) and CPU seconds. */
function layoutReport(
  layout: Layout,
  data: { readonly mb: number; readonly files: number; readonly bytes: number },
  times: { readonly groove: number[]; readonly simple: number[]; readonly python: number[] },
  cpu: { readonly groove: number[]; readonly simple: number[]; readonly python: number[] },
  peaks: number[],
  reference: CountDigest | undefined,
): WorkloadReport {
  const { mb, files } = data;
  const groove = measurement('mr run --slots 2', 's', times.groove.map(seconds));
  const simple = measurement('simple serial node', 's', times.simple.map(seconds));
  const grooveCpu = measurement('mr run CPU (all processes)', 'CPU-s', cpu.groove);
  const simpleCpu = measurement('simple serial node CPU', 'CPU-s', cpu.simple);
  const best = (2 * simpleCpu.median) / grooveCpu.median;
  const notes = [
    `Groove: wall time of \`mr run jobs/wordcount.ts --input <dir of ${files} files> --slots 2\`, stdout to a file; baseline: bench/baselines/simple-wordcount.ts (4 MiB blocks, one regex per block, a Map, sorted output).`,
    `CPU time (user + system of every process, medians): Groove ${grooveCpu.median.toFixed(2)} s, the simple script ${simpleCpu.median.toFixed(2)} s; Groove's best possible wall-time ratio on 2 idle cores is about 2 x ${simpleCpu.median.toFixed(2)} / ${grooveCpu.median.toFixed(2)} = ${best.toFixed(2)}x.`,
    `Every run's output was checked equal to the simple script's (${reference?.distinct ?? 0} distinct tokens, ${reference?.total ?? 0} tokens)${layout.pythonTarget !== undefined ? ', and so was the Python output' : ''}.`,
  ];
  const baselines: Measurement[] = [simple];
  const checks: TargetCheck[] = [fasterThan(groove, simple, layout.simpleTarget)];
  const details: Record<string, unknown> = {
    grooveCpu,
    simpleCpu,
    inputBytes: data.bytes,
    files,
    distinctWords: reference?.distinct,
    tokens: reference?.total,
  };
  if (layout.pythonTarget !== undefined) {
    const python = measurement('python Pool(10)', 's', times.python.map(seconds));
    baselines.push(python);
    checks.push(fasterThan(groove, python, layout.pythonTarget));
    const pythonCpu = measurement('python Pool(10) CPU', 'CPU-s', cpu.python);
    details['pythonCpu'] = pythonCpu;
    notes.push(
      `Python Pool(10) CPU time (every process): ${pythonCpu.median.toFixed(2)} s, ${(pythonCpu.median / grooveCpu.median).toFixed(2)}x Groove's; its 10 processes take more of a shared machine than Groove's 2 slots, so under load its wall time flatters it.`,
    );
  }
  return {
    id: layout.id,
    title: `word count, ${mb} MB natural text, ${files} file${files > 1 ? 's' : ''}`,
    groove,
    baselines,
    checks,
    poolPeakRss: peaks,
    notes,
    details,
  };
}

/** Word count on natural text in each layout of issue 18, each its own workload (and table rows). */
export const NATURAL_WORKLOADS: readonly Workload[] = LAYOUTS.map(layoutWorkload);
