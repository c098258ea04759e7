import * as path from 'node:path';
import { GrooveClient } from '../../sdk/index.js';
import { startCliCluster } from '../cli-cluster.js';
import { zipfText } from '../datagen/zipf-text.js';
import { FetchObserver } from '../fetch-observer.js';
import { measurement, megabytes, seconds } from '../measurement.js';
import { DATA_DIR, ROOT } from '../paths.js';
import { PoolMemoryWatch } from '../pool-memory-watch.js';
import { profileEnv } from '../profiling.js';
import { bound } from '../ratio-check.js';
import { median } from '../stats.js';
import { tcpCopyMBps } from '../tcp-copy-run.js';
import type { BenchContext, Workload, WorkloadReport } from '../workload.js';

const JOB = path.join(ROOT, 'bench', 'jobs', 'bigrams.ts');
const SHUFFLE_BYTES = 'groove.reduce.shuffle.bytes';
const FETCH_BYTES = 'groove.reduce.fetch.bytes';
const FETCH_MILLIS = 'groove.reduce.fetch.millis';

interface ProfileWindow {
  readonly label: string;
  readonly fromEpochMs: number;
  readonly toEpochMs: number;
}

/** What one run measured; the rates are missing when no reducer fetched from the other worker. */
interface ShuffleRun {
  readonly endToEnd: number;
  readonly shuffled: number;
  readonly remote: number;
  readonly fetchRate: number | undefined;
  readonly aggregateRate: number | undefined;
  readonly window: ProfileWindow | undefined;
  readonly reduceMillis: number[];
  readonly peaks: number[];
  readonly tcpRate: number;
}

/** One run: a fresh cluster runs the job once, then the TCP copy baseline moves the bytes one reducer fetched. */
async function runOnce(ctx: BenchContext, files: readonly string[], run: number): Promise<ShuffleRun> {
  ctx.log(`shuffle run ${run + 1}/${ctx.runs}: master + 2 workers`);
  const cluster = await startCliCluster({
    dir: path.join(ctx.scratch, `shuffle-cluster-${run}`),
    workers: 2,
    slotsPerWorker: 1,
    env: profileEnv(ctx, 'shuffle'),
  });
  const client = new GrooveClient({ master: cluster.master });
  const watch = new PoolMemoryWatch(() => cluster.workers.map((w) => w.daemon.pid));
  const reduceMillis: number[] = [];
  let peaks: number[];
  let measured: Omit<ShuffleRun, 'reduceMillis' | 'peaks' | 'tcpRate'>;
  try {
    const jobId = await client.submit(JOB, { inputs: [...files], partitions: 2 });
    const observer = new FetchObserver(cluster.workers.map((w) => path.join(w.dataDir, 'jobs', jobId)));
    const status = await client.wait(jobId, (e) => {
      const m = /^reduce-\d+ attempt .* (\d+) ms\)$/.exec(e.message);
      if (e.type === 'task-succeeded' && m) reduceMillis.push(Number(m[1]));
    });
    // Only to cut CPU profiles to the fetch phase: the figures come from the counters.
    const fetches = observer.stop();
    const counters = status.counters;
    if (counters['groove.map.output.records'] !== counters['groove.reduce.input.records']) {
      throw new Error(
        `shuffle: ${counters['groove.map.output.records']} records left the maps but ${counters['groove.reduce.input.records']} reached the reduces`,
      );
    }
    const remoteBytes = counters[FETCH_BYTES] ?? 0;
    const fetchMillis = counters[FETCH_MILLIS] ?? 0;
    // Placement is the scheduler's: if every map output ended up local, there is no
    // fetch to time in this run (the end-to-end time still counts).
    if (!remoteBytes || !fetchMillis) ctx.log('shuffle: no reducer fetched from the other worker in this run');
    let aggregateRate: number | undefined;
    let window: ProfileWindow | undefined;
    if (fetches.length) {
      const from = Math.min(...fetches.map((f) => f.firstSeen));
      const to = Math.max(...fetches.map((f) => f.lastGrowth));
      aggregateRate = megabytes(fetches.reduce((n, f) => n + f.bytes, 0)) / Math.max(0.001, seconds(to - from));
      window = { label: `the fetch phase of run ${run + 1}`, fromEpochMs: from, toEpochMs: to };
    }
    measured = {
      endToEnd: seconds(status.finishedAt - status.submittedAt),
      shuffled: counters[SHUFFLE_BYTES] ?? 0,
      remote: remoteBytes,
      fetchRate: !remoteBytes || !fetchMillis ? undefined : megabytes(remoteBytes) / seconds(fetchMillis),
      aggregateRate,
      window,
    };
    await client.purge(jobId);
  } finally {
    peaks = [...watch.stop().values()];
    client.close();
    await cluster.stop();
  }
  ctx.log('shuffle: TCP copy baseline');
  // The same bytes as one reducer's remote fetch, in one stream between two processes.
  const tcpRate = await tcpCopyMBps(Math.max(1, Math.round(measured.remote / 2)), ctx.scratch);
  return { ...measured, reduceMillis, peaks, tcpRate };
}

/**
 * Shuffle-heavy: word bigrams -> input names (no combiner) on one master and two worker
 * daemons of one slot each, started through the CLI, so each reducer fetches the other
 * worker's map outputs over gRPC. The fetch rate comes from the engine's counters (bytes
 * fetched from other workers / time the reducers spent fetching them); the baseline is a
 * plain TCP copy of the same byte count between two Node processes.
 */
export const shuffleWorkload: Workload = {
  id: 'shuffle',
  title: 'shuffle-heavy bigrams',
  async run(ctx: BenchContext): Promise<WorkloadReport> {
    const totalBytes = ctx.quick ? 10e6 : 100e6;
    const data = zipfText(path.join(DATA_DIR, ctx.quick ? 'shuffle-10MB' : 'shuffle-100MB'), {
      totalBytes,
      files: ctx.quick ? 4 : 8,
      seed: 5,
    });
    const fetchRates: number[] = [];
    const aggregateRates: number[] = [];
    const endToEnd: number[] = [];
    const tcpRates: number[] = [];
    const shuffled: number[] = [];
    const remote: number[] = [];
    const reduceMillis: number[] = [];
    const peaks: number[] = [];
    const windows: ProfileWindow[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      const r = await runOnce(ctx, data.files, run);
      endToEnd.push(r.endToEnd);
      shuffled.push(r.shuffled);
      remote.push(r.remote);
      if (r.fetchRate !== undefined) fetchRates.push(r.fetchRate);
      if (r.aggregateRate !== undefined) aggregateRates.push(r.aggregateRate);
      if (r.window) windows.push(r.window);
      reduceMillis.push(...r.reduceMillis);
      peaks.push(...r.peaks);
      tcpRates.push(r.tcpRate);
    }
    const groove = measurement('fetch, per reducer', 'MB/s', fetchRates);
    const tcp = measurement('TCP copy, 2 node procs', 'MB/s', tcpRates);
    return {
      id: this.id,
      title: `shuffle-heavy (bigrams -> inputs, no combiner), ${Math.round(data.bytes / 1e6)} MB`,
      groove,
      baselines: [tcp],
      checks: [
        bound(
          tcp.label,
          groove.median,
          `${groove.median.toFixed(0)} MB/s (${(groove.median / tcp.median).toFixed(2)}x TCP)`,
          '>=',
          400,
          '400 MB/s',
        ),
      ],
      poolPeakRss: peaks,
      notes: [
        'Cluster: `mr master --port 0` and two `mr worker --port 0 --slots 1` on loopback; bench/jobs/bigrams.ts submitted with the SDK, 2 partitions, so each reducer fetches about half its partition from the other worker (OpenFetch ticket, bytes from its bulk port).',
        "Groove figure = groove.reduce.fetch.bytes / groove.reduce.fetch.millis, median over runs: the bytes reducers fetched from the other worker over the time they spent fetching them, both summed over the reduce tasks (a reduce's fetch time runs from its first remote fetch started to its last one finished, up to 8 at once; its local map outputs are read in place and not counted). So it is the rate of one reducer, weighted by fetch time. Bytes shuffled (groove.reduce.shuffle.bytes) include the local reads.",
        `End-to-end job time (submitted to finished) median ${median(endToEnd).toFixed(2)} s; bytes shuffled median ${megabytes(median(shuffled)).toFixed(0)} MB, of which fetched remotely ${megabytes(median(remote)).toFixed(0)} MB; both reducers' fetches together, timed from outside (first fetch file opened to last growth of the fetched files, 10 ms polling): ${median(aggregateRates).toFixed(0)} MB/s.`,
        'Every run checked that every record the maps emitted reached a reduce (groove.map.output.records = groove.reduce.input.records).',
      ],
      details: {
        inputBytes: data.bytes,
        endToEndSeconds: measurement('end to end', 's', endToEnd),
        shuffleBytes: shuffled,
        remoteFetchBytes: remote,
        aggregateFetchMBps: measurement('both reducers', 'MB/s', aggregateRates),
        reduceTaskMillis: reduceMillis,
      },
      profileWindows: windows,
    };
  },
};
