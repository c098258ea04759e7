/**
 * `npm run bench [-- --quick] [--runs N] [--only IDS] [--profile]`: the benchmark suite of
 * issue 4. Generates its data under bench/data/ (reused across runs), runs each workload
 * on Groove and on its baselines in the same run, prints a table of medians and ratios,
 * and writes the figures to bench/results/<timestamp>.json and bench/results/latest.json.
 * Speed is only reported, never asserted: the exit status is non-zero only when a
 * workload could not run or its output was wrong.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseBenchArgs } from './bench-options.js';
import { describeMachine, loadAverages, machineInfo } from './machine-info.js';
import { RESULTS_DIR } from './paths.js';
import { formatSummary, summarizeProfiles } from './profile-summary.js';
import type { ProfileSummary } from './profile-summary.js';
import { formatTable, markdownTable, tableRows } from './report-table.js';
import type { BenchContext, WorkloadReport } from './workload.js';
import { WORKLOADS } from './workloads/index.js';

async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchArgs(
    argv,
    WORKLOADS.map((w) => w.id),
  );
  const started = new Date();
  const stamp = started
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d{3}Z$/, 'Z');
  const machine = machineInfo();
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const profileDir = options.profile ? path.join(RESULTS_DIR, 'profiles', stamp) : undefined;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'groove-bench-'));
  const log = (m: string): void =>
    void process.stderr.write(`[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0)}s] ${m}\n`);
  const ctx: BenchContext = { quick: options.quick, runs: options.runs, profileDir, scratch, log };
  log(`${command} on ${describeMachine(machine)}`);

  const reports: WorkloadReport[] = [];
  const failures: { id: string; error: string }[] = [];
  const profiles: Record<string, ProfileSummary[]> = {};
  try {
    for (const w of WORKLOADS) {
      if (options.only && !options.only.includes(w.id)) continue;
      log(`workload ${w.id}`);
      let windows: WorkloadReport['profileWindows'] = [];
      try {
        const report = await w.run(ctx);
        reports.push(report);
        windows = report.profileWindows ?? [];
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        log(`workload ${w.id} FAILED: ${error}`);
        failures.push({ id: w.id, error });
      }
      if (profileDir) {
        profiles[w.id] = summarizeProfiles(path.join(profileDir, w.id), 12, windows);
        for (const s of profiles[w.id] ?? []) log(`profile of ${w.id}:\n${formatSummary(s)}`);
      }
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  const rows = tableRows(reports);
  const loadAtEnd = loadAverages();
  const out = process.stdout;
  out.write(
    `\nGroove benchmark, ${started.toISOString()}\nmachine: ${describeMachine(machine)}\ncommand: ${command} (${options.runs} run${options.runs > 1 ? 's' : ''} each, medians); load averages at the end ${loadAtEnd.join(' ')}\n\n`,
  );
  out.write(`${formatTable(rows)}\n\n`);
  for (const r of reports) for (const n of r.notes) out.write(`- ${r.id}: ${n}\n`);
  for (const f of failures) out.write(`- ${f.id}: FAILED: ${f.error}\n`);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const result = {
    date: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    machine,
    loadAtEnd,
    command,
    options,
    table: rows,
    markdown: markdownTable(rows),
    workloads: reports,
    failures,
    profiles,
  };
  const file = path.join(RESULTS_DIR, `${stamp}${options.quick ? '-quick' : ''}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  out.write(
    `\nfigures written to ${path.relative(process.cwd(), file)} and bench/results/latest.json (${result.seconds.toFixed(0)} s)\n`,
  );
  return failures.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
