import * as fs from 'node:fs';

/** How a pool process is told apart from other children (esbuild's service, shells). */
const POOL_MARK = 'pool-child.js';

/** The pids of a process's direct children (Linux /proc). */
export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A process's peak resident set (VmHWM) in bytes, or 0 once it is gone. */
export function peakRssBytes(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function isPoolProcess(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(POOL_MARK);
  } catch {
    return false;
  }
}

/**
 * Polls the peak RSS of every Groove pool process below some root processes while a job
 * runs. VmHWM only grows, so the last reading before a pool process exits is its peak
 * (to within one polling interval of growth).
 */
export class PoolMemoryWatch {
  private readonly peaks = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly roots: () => readonly number[],
    intervalMs = 100,
  ) {
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
    this.poll();
  }

  /** Stops polling; returns each pool process's peak RSS in bytes, by pid. */
  stop(): Map<number, number> {
    this.poll();
    clearInterval(this.timer);
    return new Map(this.peaks);
  }

  private poll(): void {
    const stack = [...this.roots()];
    const seen = new Set<number>();
    while (stack.length) {
      const pid = stack.pop() as number;
      if (seen.has(pid)) continue;
      seen.add(pid);
      for (const child of childPids(pid)) {
        stack.push(child);
        if (!isPoolProcess(child)) continue;
        const rss = peakRssBytes(child);
        if (rss > (this.peaks.get(child) ?? 0)) this.peaks.set(child, rss);
      }
    }
  }
}
