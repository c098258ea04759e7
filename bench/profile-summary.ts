/**
 * Summarises V8 CPU profiles (.cpuprofile, from node --cpu-prof): the functions with the
 * most self time. Used by `npm run bench -- --profile`, and on its own:
 *
 *     node dist/bench/profile-summary.js FILE.cpuprofile [TOP]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
  /** Written by cpu-profile-preload: the same instant on the wall clock and on the profile's clock. */
  readonly grooveBenchAnchor?: { readonly epochMs: number; readonly monotonicUs: number };
}

/** A wall-clock interval to cut a profile to, ms since epoch. */
export interface ProfileWindow {
  readonly label: string;
  readonly fromEpochMs: number;
  readonly toEpochMs: number;
}

/** One function's share of a profile. */
export interface HotFunction {
  readonly fn: string;
  readonly where: string;
  readonly selfMs: number;
  readonly percent: number;
}

/** A profile's hottest functions by self time. */
export interface ProfileSummary {
  readonly file: string;
  /** Set when the summary covers only part of the profile. */
  readonly window?: string;
  readonly totalMs: number;
  readonly top: HotFunction[];
}

function shortUrl(url: string): string {
  const i = url.indexOf('/node_modules/');
  if (i >= 0) return url.slice(i + 1);
  const d = url.indexOf('/dist/');
  return d >= 0 ? url.slice(d + 1) : url.replace(/^file:\/\//, '');
}

/**
 * Self time per function (nodes of the same function and line summed), over the whole
 * profile or only the samples inside a wall-clock window (profiles from the preload).
 */
export function summarizeProfile(file: string, top = 12, window?: ProfileWindow): ProfileSummary | undefined {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const hits = new Map<number, number>();
  let from = profile.startTime;
  let to = profile.endTime;
  if (window) {
    const anchor = profile.grooveBenchAnchor;
    if (!anchor) return undefined;
    from = Math.max(from, anchor.monotonicUs - (anchor.epochMs - window.fromEpochMs) * 1000);
    to = Math.min(to, anchor.monotonicUs - (anchor.epochMs - window.toEpochMs) * 1000);
    if (to <= from) return undefined;
  }
  const totalMs = (to - from) / 1000;
  // Self time from samples and their time deltas when present; hit counts otherwise.
  if (profile.samples && profile.timeDeltas) {
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas?.[i] ?? 0;
      if (t >= from && t <= to) hits.set(id, (hits.get(id) ?? 0) + (profile.timeDeltas?.[i + 1] ?? 0) / 1000);
    });
  } else {
    if (window) return undefined;
    const perHit =
      totalMs /
      Math.max(
        1,
        profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0),
      );
    for (const n of profile.nodes) hits.set(n.id, (n.hitCount ?? 0) * perHit);
  }
  const byFunction = new Map<string, { fn: string; where: string; selfMs: number }>();
  for (const n of profile.nodes) {
    const ms = hits.get(n.id) ?? 0;
    if (!ms) continue;
    const fn = n.callFrame.functionName || '(anonymous)';
    const where = n.callFrame.url ? `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${fn}@${where}`;
    const e = byFunction.get(key) ?? { fn, where, selfMs: 0 };
    e.selfMs += ms;
    byFunction.set(key, e);
  }
  const sorted = [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  return {
    file,
    window: window?.label,
    totalMs,
    top: sorted.map((e) => ({
      ...e,
      selfMs: Math.round(e.selfMs),
      percent: Math.round((1000 * e.selfMs) / Math.max(1, totalMs)) / 10,
    })),
  };
}

/** Every profile under a directory, largest first; each also cut to the windows given. */
export function summarizeProfiles(dir: string, top = 12, windows: readonly ProfileWindow[] = []): ProfileSummary[] {
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
  const whole = files.map((f) => summarizeProfile(f, top)).filter((s): s is ProfileSummary => s !== undefined);
  const cut = windows.flatMap((w) =>
    files
      .map((f) => summarizeProfile(f, top, w))
      .filter((s): s is ProfileSummary => s !== undefined && s.top.length > 0),
  );
  return [...whole.sort((a, b) => b.totalMs - a.totalMs), ...cut];
}

/** A summary as text lines. */
export function formatSummary(s: ProfileSummary): string {
  const lines = [
    `${path.basename(s.file)}${s.window ? ` during ${s.window}` : ''}: ${(s.totalMs / 1000).toFixed(1)} s profiled`,
  ];
  for (const f of s.top)
    lines.push(`  ${String(f.percent).padStart(5)}%  ${String(f.selfMs).padStart(7)} ms  ${f.fn}  ${f.where}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: profile-summary FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  const summary = summarizeProfile(file, Number(top ?? 25));
  if (summary) process.stdout.write(`${formatSummary(summary)}\n`);
}
