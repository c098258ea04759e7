import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { startDaemon } from '../daemon.js';
import { cachedDataset } from '../datagen/dataset-cache.js';
import { measurement } from '../measurement.js';
import { BENCH_DIST, DATA_DIR, ROOT } from '../paths.js';
import { peakRssBytes } from '../pool-memory-watch.js';
import { profileEnv } from '../profiling.js';
import { bound } from '../ratio-check.js';
import type { SimCounts } from '../sim/simulated-workers.js';
import type { BenchContext, Workload, WorkloadReport } from '../workload.js';

const GIB = 1024 ** 3;

/** The smallest chunk size the master accepts (master/submission-limits.ts): one map task per chunk. */
const CHUNK = 4096;
/** Text before the hole: 65,550 bytes, past the 64 KiB of an input that the client checks. */
const TEXT_HEAD = 'a line of text\n'.repeat(4370);

/**
 * A sparse file of `tasks` chunks: one map task per chunk. The simulated workers never
 * read it and the master only looks at its size, so it takes no disk space. Its first
 * 64 KiB are text lines: the client refuses an input whose first block holds NUL bytes
 * (it would be binary), and the hole after them is read by nobody.
 */
function inputFile(tasks: number): string {
  const dir = path.join(DATA_DIR, `master-scale-${tasks}`);
  const data = cachedDataset(dir, { kind: 'sparse-text-head', tasks, chunk: CHUNK }, (out) => {
    fs.writeFileSync(path.join(out, 'input.txt'), TEXT_HEAD);
    fs.truncateSync(path.join(out, 'input.txt'), tasks * CHUNK);
    return ['input.txt'];
  });
  return data.files[0] as string;
}

/** What one run of the master-scale workload saw. */
interface ScaleRun {
  readonly rate: number;
  readonly assigned: number;
  readonly finished: boolean;
  readonly submitSeconds: number;
  readonly jobSeconds: number;
  readonly masterPeakRss: number;
  readonly lostSessions: number;
}

/** The simulated workers' process, and the counts it last printed. */
function startSimulatedWorkers(
  address: string,
  workers: number,
): { process: ReturnType<typeof spawn>; counts: () => SimCounts } {
  let counts: SimCounts = {
    registered: 0,
    assigned: 0,
    maps: 0,
    reduces: 0,
    firstAssignAt: 0,
    lastAssignAt: 0,
    lost: 0,
  };
  let pending = '';
  const sim = spawn(
    process.execPath,
    [path.join(BENCH_DIST, 'sim', 'simulated-workers.js'), address, String(workers), String(Math.ceil(workers / 50))],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  sim.stdout?.on('data', (d: Buffer) => {
    const lines = (pending + d.toString()).split('\n');
    pending = lines.pop() ?? '';
    const last = lines.filter(Boolean).pop();
    if (last) counts = JSON.parse(last) as SimCounts;
  });
  return { process: sim, counts: () => counts };
}

/**
 * Waits up to capMs for the job's end. The reduce is assigned once every map succeeded; its
 * update ends the job. The master is far too busy to answer status calls in time while maps
 * pour in, so the simulated workers' counts tell when the job is done.
 */
async function awaitJob(
  client: GrooveClient,
  jobId: string,
  counts: () => SimCounts,
  capMs: number,
): Promise<{ finished: boolean; jobSeconds: number }> {
  const deadline = Date.now() + capMs;
  while (Date.now() < deadline && counts().reduces === 0) await new Promise((r) => setTimeout(r, 250));
  let finished = false;
  let jobSeconds = Number.NaN;
  if (counts().reduces > 0) {
    const status = await client.status(jobId).catch(() => undefined);
    finished = status?.state === 'succeeded';
    if (status?.state === 'failed') throw new Error(`master scale: the job failed: ${status.error}`);
    if (finished && status) jobSeconds = (status.finishedAt - status.submittedAt) / 1000;
  }
  return { finished, jobSeconds };
}

async function runOnce(
  ctx: BenchContext,
  workers: number,
  tasks: number,
  capMs: number,
  run: number,
): Promise<ScaleRun> {
  const input = inputFile(tasks);
  // Simulated workers never miss a heartbeat on purpose; a long timeout keeps a master
  // that is too busy to read them from declaring them lost, which is not what is measured.
  const master = await startDaemon(
    ['master', '--port', '0', '--data-dir', path.join(ctx.scratch, `master-scale-${run}`), '--worker-timeout', '3600'],
    /listening on (\S+?:\d+)/,
    profileEnv(ctx, 'master-scale'),
  );
  const address = master.match[1] as string;
  const client = new GrooveClient({ master: address });
  let peak = 0;
  const rssTimer = setInterval(() => (peak = Math.max(peak, peakRssBytes(master.pid))), 200);
  let sim: ReturnType<typeof spawn> | undefined;
  try {
    // Submitted before the workers connect: with 1,000 workers already waiting, the
    // master's first wave of task updates keeps its event loop busy past the SDK's 60 s
    // deadline and the submission fails (see docs/performance.md).
    const t0 = Date.now();
    const jobId = await client.submit(path.join(ROOT, 'jobs', 'wordcount.ts'), {
      inputs: [input],
      partitions: 1,
      chunkSize: CHUNK,
    });
    const submitSeconds = (Date.now() - t0) / 1000;
    ctx.log(
      `master scale run ${run + 1}/${ctx.runs}: ${tasks.toLocaleString('en-US')}-task job submitted in ${submitSeconds.toFixed(1)} s; starting ${workers} simulated workers`,
    );
    const simulated = startSimulatedWorkers(address, workers);
    sim = simulated.process;
    const { finished, jobSeconds } = await awaitJob(client, jobId, simulated.counts, capMs);
    const c = simulated.counts();
    const rate = c.assigned / Math.max(0.001, (c.lastAssignAt - c.firstAssignAt) / 1000);
    ctx.log(
      `master scale: ${c.assigned} assignments (${c.maps} maps, ${c.reduces} reduces), ${rate.toFixed(0)}/s${finished ? '' : ` (stopped after ${capMs / 1000} s)`}`,
    );
    peak = Math.max(peak, peakRssBytes(master.pid));
    return {
      rate,
      assigned: c.assigned,
      finished,
      submitSeconds,
      jobSeconds,
      masterPeakRss: peak,
      lostSessions: c.lost,
    };
  } finally {
    clearInterval(rssTimer);
    client.close();
    // The master goes first: losing 1,000 workers at once would keep it busy (each loss
    // scans the tasks of every unfinished job) past the stop timeout, and a killed master
    // writes no profile.
    await master.stop();
    const s = sim;
    if (s && s.exitCode === null) {
      s.kill('SIGTERM');
      await new Promise<void>((r) => s.once('exit', () => r()));
    }
  }
}

/**
 * Master scale: a real `mr master` against many simulated workers in another process
 * (bench/sim/simulated-workers.ts) and one job with a task per input byte. Measures
 * assignments per second as the workers see them, and the master's peak RSS.
 */
export const masterScaleWorkload: Workload = {
  id: 'master-scale',
  title: 'master scale',
  async run(ctx: BenchContext): Promise<WorkloadReport> {
    const workers = ctx.quick ? 50 : 1000;
    const tasks = ctx.quick ? 20_000 : 1_000_000;
    const capMs = ctx.quick ? 30_000 : Number(process.env['GROOVE_BENCH_SCALE_CAP_S'] ?? 150) * 1000;
    const runs: ScaleRun[] = [];
    for (let run = 0; run < ctx.runs; run++) runs.push(await runOnce(ctx, workers, tasks, capMs, run));
    const groove = measurement(
      'assignments / s',
      'tasks/s',
      runs.map((r) => r.rate),
    );
    const rss = measurement(
      'master peak RSS',
      'MB',
      runs.map((r) => r.masterPeakRss / 1e6),
    );
    const unfinished = runs.filter((r) => !r.finished).length;
    return {
      id: this.id,
      title: `master scale: ${workers.toLocaleString('en-US')} simulated workers, ${tasks.toLocaleString('en-US')}-task job`,
      groove,
      baselines: [],
      checks: [
        bound(
          'assignment rate',
          groove.median,
          `${Math.round(groove.median).toLocaleString('en-US')} tasks/s`,
          '>=',
          20_000,
          '20,000 tasks/s',
        ),
        {
          ...bound('master peak RSS', rss.median * 1e6, `${rss.median.toFixed(0)} MB`, '<', GIB, '1 GiB'),
          measured: `${rss.median.toFixed(0)} MB RSS`,
        },
      ],
      poolPeakRss: [],
      notes: [
        `A real \`mr master --port 0 --worker-timeout 3600\` and ${workers} simulated workers of 1 slot each in one other process (bench/sim/simulated-workers.ts, ${Math.ceil(workers / 50)} HTTP/2 connections, the real Session protocol), answering each assignment at once with TASK_SUCCEEDED and a fake output. The job: jobs/wordcount.ts over one sparse file of ${tasks.toLocaleString('en-US')} chunks of ${CHUNK} bytes (one map per chunk) and 1 partition, submitted with GrooveClient.submit.`,
        `Rate = assignments received by the simulated workers / (last - first assignment time). Master RSS = VmHWM of the master process.${unfinished ? ` ${unfinished} of ${runs.length} runs did not finish the job and were stopped after ${capMs / 1000} s; their rate is the rate seen until then (${runs.map((r) => r.assigned).join(', ')} assignments).` : ''}`,
      ],
      details: { runs, masterPeakRss: rss },
    };
  },
};
