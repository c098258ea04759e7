/**
 * Runs one job on an EmbeddedCluster through the SDK, one map task per input file (small
 * files not packed: packInputs false), and prints its final status as JSON
 * on stdout, with the sum of its integer result values. A child process of the bench, so
 * the cluster's pool processes are found below it and nothing of it stays in the harness.
 *
 *     node dist/bench/runners/tiny-job-runner.js JOB_FILE INPUT_DIR SLOTS PARTITIONS
 */
import { setLogLevel } from '../../common/index.js';
import { EmbeddedCluster, GrooveClient } from '../../sdk/index.js';

/** What the runner prints. */
export interface TinyJobReport {
  readonly jobId: string;
  readonly maps: number;
  readonly submittedAt: number;
  readonly finishedAt: number;
  readonly valueSum: number;
  readonly counters: Record<string, number>;
}

async function main(jobFile: string, inputDir: string, slots: number, partitions: number): Promise<void> {
  setLogLevel('error');
  const cluster = await EmbeddedCluster.start({ slots });
  const client = new GrooveClient({ master: cluster.masterAddress, security: cluster.security });
  try {
    // One map task per file is what this runner measures: packing would make the files a few tasks.
    const jobId = await client.submit(jobFile, { inputs: [inputDir], partitions, packInputs: false });
    const status = await client.wait(jobId);
    let valueSum = 0;
    for await (const [, v] of client.results(jobId)) valueSum += Number(v);
    const report: TinyJobReport = {
      jobId,
      maps: status.mapsTotal,
      submittedAt: status.submittedAt,
      finishedAt: status.finishedAt,
      valueSum,
      counters: status.counters,
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    client.close();
    await cluster.stop();
  }
}

const [jobFile, inputDir, slots, partitions] = process.argv.slice(2);
if (!jobFile || !inputDir) {
  process.stderr.write('usage: tiny-job-runner JOB_FILE INPUT_DIR SLOTS PARTITIONS\n');
  process.exit(2);
}
main(jobFile, inputDir, Number(slots ?? 2), Number(partitions ?? 2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
