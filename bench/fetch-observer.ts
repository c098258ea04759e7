import * as fs from 'node:fs';
import * as path from 'node:path';

/** What one reduce attempt fetched from other workers, seen from outside. */
export interface ObservedFetch {
  readonly attemptDir: string;
  readonly bytes: number;
  /** When its first fetch file appeared, ms since epoch. */
  readonly firstSeen: number;
  /** When its fetched bytes last grew. */
  readonly lastGrowth: number;
}

interface Track {
  firstSeen: number;
  lastGrowth: number;
  bytes: number;
}

/**
 * Times the shuffle fetch of reducers by watching their attempt directories: a reducer
 * opens `fetch-NNNNN.data` when it starts fetching a remote map output and appends every
 * chunk received, so the fetch phase runs from the first such file to the last growth.
 * The engine's counters give each reducer's fetch time (groove.reduce.fetch.millis), but
 * not when the fetch phase ran on the wall clock: this gives that, to cut CPU profiles to
 * it and to time both reducers' fetches together (to within the polling interval).
 */
export class FetchObserver {
  private readonly tracks = new Map<string, Track>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly jobDirs: readonly string[],
    intervalMs = 10,
  ) {
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  /** Stops watching; one entry per reduce attempt that fetched anything. */
  stop(): ObservedFetch[] {
    clearInterval(this.timer);
    return [...this.tracks.entries()].map(([attemptDir, t]) => ({ attemptDir, ...t }));
  }

  private poll(): void {
    const now = Date.now();
    for (const jobDir of this.jobDirs) {
      let attempts: string[];
      try {
        attempts = fs.readdirSync(jobDir).filter((d) => d.startsWith('reduce-'));
      } catch {
        continue;
      }
      for (const a of attempts) {
        const dir = path.join(jobDir, a);
        let bytes = 0;
        let files = 0;
        try {
          for (const f of fs.readdirSync(dir)) {
            if (!f.startsWith('fetch-')) continue;
            files++;
            bytes += fs.statSync(path.join(dir, f)).size;
          }
        } catch {
          continue;
        }
        if (!files) continue;
        const t = this.tracks.get(dir);
        if (!t) this.tracks.set(dir, { firstSeen: now, lastGrowth: now, bytes });
        else if (bytes > t.bytes) {
          t.bytes = bytes;
          t.lastGrowth = now;
        }
      }
    }
  }
}
