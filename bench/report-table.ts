import { DEFAULT_SORT_BUFFER_BYTES } from '../master/index.js';
import { formatValue } from './measurement.js';
import type { WorkloadReport } from './workload.js';

/** Pool process memory target: the sort buffer (the default, as every workload uses it) + 150 MB. */
export const POOL_RSS_LIMIT_BYTES = DEFAULT_SORT_BUFFER_BYTES + 150e6;
const POOL_RSS_LIMIT_TEXT = `${DEFAULT_SORT_BUFFER_BYTES / 1024 / 1024} MiB + 150 MB`;

/** One row of the results table. */
export type Row = [workload: string, groove: string, baselines: string, ratio: string, target: string, met: string];

export const HEADER: Row = ['workload', 'Groove median', 'baseline medians', 'ratio / value', 'target', 'met?'];

/** The rows of the results table: one per target, then one memory row per workload that ran pool processes. */
export function tableRows(reports: readonly WorkloadReport[]): Row[] {
  const rows: Row[] = [];
  for (const r of reports) {
    r.checks.forEach((c, i) => {
      const base = r.baselines.find((b) => b.label === c.against);
      rows.push([
        i === 0 ? r.title : '',
        c.measured ??
          (i === 0 || r.checks[i - 1]?.measured
            ? `${formatValue(r.groove.median, r.groove.unit)} (${r.groove.label})`
            : '"'),
        base ? `${base.label}: ${formatValue(base.median, base.unit)}` : '-',
        c.shown,
        c.target,
        c.met ? 'yes' : 'NO',
      ]);
    });
  }
  for (const r of reports) {
    if (!r.poolPeakRss.length) continue;
    const peak = Math.max(...r.poolPeakRss);
    rows.push([
      `memory: ${r.id}`,
      `${(peak / 1e6).toFixed(0)} MB peak pool RSS`,
      '-',
      `max of ${r.poolPeakRss.length} pool processes`,
      `<= ${(POOL_RSS_LIMIT_BYTES / 1e6).toFixed(0)} MB (${POOL_RSS_LIMIT_TEXT})`,
      peak <= POOL_RSS_LIMIT_BYTES ? 'yes' : 'NO',
    ]);
  }
  return rows;
}

/** The rows as an aligned plain-text table. */
export function formatTable(rows: readonly Row[]): string {
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: Row): string =>
    r
      .map((cell, c) => cell.padEnd(widths[c] as number))
      .join(' | ')
      .trimEnd();
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** The rows as a Markdown table (docs/performance.md). */
export function markdownTable(rows: readonly Row[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
