import type { Logger } from '../common/index.js';
import { removeAgedOrphans } from './stale-files.js';
import type { Orphan } from './stale-files.js';

/** The longest a timer is set for, ms (a day; Node's timers take at most about 24.8 days): a longer wait is done in steps. */
const MAX_TIMER_MS = 24 * 3600 * 1000;

/**
 * Deletes the orphaned job directories a registration kept (see removeStaleFiles) when
 * each is the retention old: one timer, set for the oldest, so the cost is a stat per
 * orphan per expiry, nothing in between. A new registration replaces what it watches.
 */
export class OrphanSweep {
  private timer?: NodeJS.Timeout;
  /** Bumped on each {@link watch} and {@link stop}: a pass of an older one does not reschedule. */
  private generation = 0;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  /** Watches these orphans (replacing the ones watched so far), deleting each once it is `retentionMs` old. */
  watch(orphans: readonly Orphan[], retentionMs: number): void {
    this.stop();
    this.schedule(orphans, retentionMs, this.generation);
  }

  /** Stops watching. */
  stop(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(orphans: readonly Orphan[], retentionMs: number, generation: number): void {
    if (orphans.length === 0) return;
    let oldest = Infinity;
    for (const o of orphans) oldest = Math.min(oldest, o.mtimeMs);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(oldest + retentionMs - Date.now())));
    this.timer = setTimeout(() => void this.pass(orphans, retentionMs, generation), delay);
    this.timer.unref();
  }

  private async pass(orphans: readonly Orphan[], retentionMs: number, generation: number): Promise<void> {
    try {
      const { removed, kept } = await removeAgedOrphans(this.dataDir, orphans, retentionMs);
      if (removed)
        this.log.info('deleted job directories no master knows, past the retention', { removed, retentionMs });
      if (generation === this.generation) this.schedule(kept, retentionMs, generation);
    } catch (err) {
      this.log.warn('could not delete orphaned job directories', { error: (err as Error).message });
    }
  }
}
