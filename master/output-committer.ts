import type { Logger } from '../common/index.js';
import { errorMessage } from '../common/index.js';
import { SUCCESS_FILE, TEMPORARY_DIR, partFileName } from '../proto/formats/index.js';
import { storageFor } from '../storage/index.js';
import type { Storage } from '../storage/index.js';
import { DEFAULT_STORE_CALL_POLICY, OutputStoreError, storeCall } from './output-store-call.js';
import type { StoreCallPolicy } from './output-store-call.js';
import { committedPartUrl, jobTemporaryUrl, resultsUnder } from './output-target.js';
import type { OutputTarget } from './output-target.js';

/** What one job commits: its target and the committed attempt's object of every partition. */
export interface CommitPlan {
  readonly target: OutputTarget;
  readonly jobId: string;
  /** By partition: the URL the committed attempt wrote (see attemptOutputUrl). */
  readonly winners: readonly string[];
  /**
   * The commit is done again by a restarted master, whose previous run may have begun it:
   * part files already there are this job's own, and a winner already renamed (gone from
   * its temporary name, present under its final one) is not renamed again.
   */
  readonly resumed?: boolean;
}

/** How a commit ended: every part in place and _SUCCESS written, or stopped (the job was killed) before that. */
export type CommitOutcome = 'committed' | 'aborted';

/** True for a store call that failed because its object is not there (see storeCall: the cause keeps the code). */
function isNotFound(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return cause?.code === 'ENOENT';
}

/** Store calls of one commit in flight at once: renames are server-side copies, mostly waiting. */
const PARALLEL_CALLS = 8;

/**
 * Runs `count` calls `call(0..count-1)`, a few at once; after a failure no more start,
 * and the first failure is thrown once every call in flight has ended (so a clean-up that
 * follows never races one).
 */
async function inLanes(count: number, call: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      try {
        await call(i);
      } catch (err) {
        next = count;
        throw err;
      }
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(PARALLEL_CALLS, count) }, lane));
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * The output commit of one job, in the style of Hadoop's FileOutputCommitter (v1): each
 * reduce attempt wrote its lines under `PREFIX/_temporary/<JOB>/<TASK>-a<N>/`; once every
 * partition has its committed attempt, {@link commit} removes an old `_SUCCESS`, renames
 * each winner to `PREFIX/part-NNNNN` (a server-side copy and a delete on an object store),
 * removes old part files no partition rewrote (with --overwrite), writes `_SUCCESS` last
 * and removes the job's temporary tree, losers' and cancelled attempts' objects included.
 * A job that fails or is killed gets {@link abort}: the temporary tree goes, and the part
 * files this commit had already promoted go too, so nothing of it looks like a result.
 * Every store call is bounded (see storeCall); the master only moves objects, it never
 * runs user code.
 */
export class OutputCommitter {
  private readonly promoted: string[] = [];
  private readonly storage: Storage;

  constructor(
    private readonly plan: CommitPlan,
    private readonly policy: StoreCallPolicy = DEFAULT_STORE_CALL_POLICY,
    private readonly log?: Logger,
  ) {
    this.storage = storageFor(plan.target.url);
  }

  private call<T>(what: string, url: string, fn: () => Promise<T>): Promise<T> {
    return storeCall(what, url, fn, this.policy);
  }

  /**
   * Promotes every partition's winner and writes _SUCCESS; `stopped` is asked between
   * steps (true once the job was killed): then it returns 'aborted' and the caller aborts.
   * @throws OutputStoreError naming the call and URL that failed; the caller aborts.
   */
  async commit(stopped: () => boolean = () => false): Promise<CommitOutcome> {
    const { target, winners } = this.plan;
    const success = `${target.url}${SUCCESS_FILE}`;
    const existing = await resultsUnder(target.url, this.policy);
    if (existing.length && !target.overwrite && !this.plan.resumed)
      throw new OutputStoreError(
        `output ${target.url}: results appeared there while the job ran (${existing[0] as string}, ...); not overwritten`,
      );
    // The old _SUCCESS goes first: from here until the new one, readers see an incomplete output.
    if (existing.includes(SUCCESS_FILE)) await this.call('remove', success, () => this.storage.remove(success));
    if (stopped()) return 'aborted';
    await inLanes(winners.length, async (p) => {
      if (stopped()) return;
      const from = winners[p] as string;
      const to = committedPartUrl(target.url, p);
      if (!(this.plan.resumed && (await this.renamedBefore(from, to))))
        await this.call('rename', `${from} -> ${to}`, () => this.storage.rename(from, to));
      this.promoted.push(to);
    });
    if (stopped()) return 'aborted';
    const fresh = new Set(winners.map((_, p) => partFileName(p)));
    const stale = existing.filter((n) => n !== SUCCESS_FILE && !fresh.has(n));
    await inLanes(stale.length, async (i) => {
      const url = `${target.url}${stale[i] as string}`;
      await this.call('remove', url, () => this.storage.remove(url));
    });
    if (stopped()) return 'aborted';
    await this.call('write', success, () => this.storage.writeAtomic(success, Buffer.alloc(0)));
    // The results are complete now; a temporary tree that will not go is worth a warning, not the job.
    try {
      await this.removeTemporary();
    } catch (err) {
      this.log?.warn('output committed, but its temporary objects could not all be removed', {
        job: this.plan.jobId,
        error: errorMessage(err),
      });
    }
    return 'committed';
  }

  /** A resumed commit's winner that the previous run renamed already: its temporary object gone, its final one there. */
  private async renamedBefore(from: string, to: string): Promise<boolean> {
    const exists = (url: string): Promise<boolean> =>
      this.call('stat', url, () => this.storage.stat(url)).then(
        () => true,
        (err: unknown) => {
          if (isNotFound(err)) return false;
          throw err;
        },
      );
    return !(await exists(from)) && (await exists(to));
  }

  /**
   * After a failed, killed or stopped job: removes the part files this commit promoted and
   * the job's temporary tree. Never throws (the job already failed); a removal that fails
   * is logged with its URL and the first such error returned.
   */
  async abort(): Promise<string | undefined> {
    let first: string | undefined;
    const note = (err: unknown): void => {
      const message = errorMessage(err);
      first ??= message;
      this.log?.warn('output abort: could not remove an object', { job: this.plan.jobId, error: message });
    };
    const promoted = this.promoted.splice(0);
    await inLanes(promoted.length, async (i) => {
      const url = promoted[i] as string;
      await this.call('remove', url, () => this.storage.remove(url)).catch(note);
    });
    await this.removeTemporary().catch(note);
    return first;
  }

  /** Lists and removes everything under `PREFIX/_temporary/<JOB>/`, then the empty directories a local store keeps. */
  async removeTemporary(): Promise<void> {
    const { target, jobId } = this.plan;
    const temporary = jobTemporaryUrl(target.url, jobId);
    const entries = await this.call('list', temporary, async () => {
      try {
        return await this.storage.list(temporary);
      } catch (err) {
        if ((err as { code?: unknown }).code === 'ENOENT') return [];
        throw err;
      }
    });
    await inLanes(entries.length, async (i) => {
      const url = (entries[i] as { url: string }).url;
      await this.call('remove', url, () => this.storage.remove(url));
    });
    const removeDirs = this.storage.removeEmptyDirectories?.bind(this.storage);
    if (removeDirs) {
      const top = `${target.url}${TEMPORARY_DIR}/`;
      await this.call('remove', top, () => removeDirs(top));
    }
  }

  /** Removes one object an attempt committed after the job's temporary tree was cleaned (a late backup). */
  async removeStray(url: string): Promise<void> {
    await this.call('remove', url, () => this.storage.remove(url));
    const removeDirs = this.storage.removeEmptyDirectories?.bind(this.storage);
    if (removeDirs) {
      const top = `${this.plan.target.url}${TEMPORARY_DIR}/`;
      await this.call('remove', top, () => removeDirs(top));
    }
  }
}
