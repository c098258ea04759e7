import * as fs from 'node:fs';
import * as path from 'node:path';
import { KEY_BYTES, RECORD_BYTES, sortRecords } from '../datagen/sort-records.js';
import { measurement, seconds } from '../measurement.js';
import { DATA_DIR, MR } from '../paths.js';
import { runTimed } from '../process-runner.js';
import { profileEnv } from '../profiling.js';
import { noSlowerThan } from '../ratio-check.js';
import { assertSameRecords, scanRecords } from '../record-check.js';
import type { BenchContext, Workload, WorkloadReport } from '../workload.js';

/** Reduce partitions of the sort: one key range each. */
const PARTITIONS = 4;

/**
 * Total-order sort of 100-byte records: jobs/sort.ts (its split points sampled by the
 * client at submit: `totalOrder`), against `LC_ALL=C sort --parallel=2`. The part files, read in order, must be
 * sorted and hold exactly the input's records.
 */
export const totalSortWorkload: Workload = {
  id: 'sort',
  title: 'total-order sort',
  async run(ctx: BenchContext): Promise<WorkloadReport> {
    const records = ctx.quick ? 200_000 : 5_000_000;
    const data = sortRecords(path.join(DATA_DIR, ctx.quick ? 'sort-20MB' : 'sort-500MB'), {
      records,
      files: ctx.quick ? 4 : 8,
      seed: 2,
    });
    ctx.log('sort: fingerprinting the input');
    const input = scanRecords(data.files);
    const grooveOut = path.join(ctx.scratch, 'sort-groove');
    const sortOut = path.join(ctx.scratch, 'sort-baseline.txt');
    const times = { groove: [] as number[], sort: [] as number[] };
    const peaks: number[] = [];
    let partBytes: number[] = [];
    for (let run = 0; run < ctx.runs; run++) {
      ctx.log(`sort run ${run + 1}/${ctx.runs}: groove`);
      fs.rmSync(grooveOut, { recursive: true, force: true });
      const args = [
        MR,
        'run',
        'jobs/sort.ts',
        '--input',
        ...data.files,
        '--slots',
        '2',
        '--partitions',
        String(PARTITIONS),
        '--output',
        grooveOut,
      ];
      const g = await runTimed(process.execPath, args, { watchPools: true, env: profileEnv(ctx, 'sort') });
      times.groove.push(g.millis);
      peaks.push(...g.poolPeaks);
      const parts = fs
        .readdirSync(grooveOut)
        .sort()
        .map((f) => path.join(grooveOut, f));
      partBytes = parts.map((p) => fs.statSync(p).size);
      // Groove prints KEY<TAB>VALUE: the tab after the key is not part of the record.
      assertSameRecords(
        input,
        scanRecords(parts, { dropByteAt: KEY_BYTES, checkOrderOfKeyBytes: KEY_BYTES }),
        `groove run ${run + 1}`,
      );
      ctx.log('sort: LC_ALL=C sort --parallel=2');
      times.sort.push(
        (await runTimed('sort', ['--parallel=2', '-o', sortOut, ...data.files], { env: { LC_ALL: 'C' } })).millis,
      );
      if (run === 0)
        assertSameRecords(input, scanRecords([sortOut], { checkOrderOfKeyBytes: KEY_BYTES }), 'sort --parallel=2');
      fs.rmSync(sortOut, { force: true });
    }
    fs.rmSync(grooveOut, { recursive: true, force: true });
    const groove = measurement('mr run --slots 2', 's', times.groove.map(seconds));
    const sort = measurement('sort --parallel=2', 's', times.sort.map(seconds));
    return {
      id: this.id,
      title: `${this.title}, ${Math.round(data.bytes / 1e6)} MB of ${RECORD_BYTES}-byte records`,
      groove,
      baselines: [sort],
      checks: [noSlowerThan(groove, sort, 1.5)],
      poolPeakRss: peaks,
      notes: [
        `Groove: wall time of \`mr run jobs/sort.ts --input <${data.files.length} files> --slots 2 --partitions ${PARTITIONS} --output DIR\`; the split points are sampled by mr run at submit (totalOrder, docs/sorting.md), which is timed.`,
        `Every Groove run's part files, read in partition order, were checked to be sorted by key and to hold exactly the input's ${input.count} records (count and hashes); so was sort's output once.`,
        'The baseline is `LC_ALL=C sort --parallel=2 -o OUT <files>`, writing one sorted file.',
      ],
      details: { inputBytes: data.bytes, records: input.count, partBytes },
    };
  },
};
