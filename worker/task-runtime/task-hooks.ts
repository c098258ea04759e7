import type { Emit, Key } from '../../common/index.js';
import type { AnyJob } from '../job-loader.js';
import type { TaskContext } from './task-context.js';
import { UserCodeError } from './user-code-error.js';

/**
 * Runs the job's setup hook of a phase, if it has one, awaiting a promise it returns. A
 * throw (or a rejection) fails the attempt as the user's error, naming the hook.
 */
export async function runSetup(job: AnyJob, phase: 'map' | 'reduce', ctx: TaskContext): Promise<void> {
  const hook = phase === 'map' ? job.mapSetup : job.reduceSetup;
  if (!hook) return;
  const name = phase === 'map' ? 'mapSetup' : 'reduceSetup';
  try {
    await hook(ctx);
  } catch (err) {
    throw new UserCodeError(name, err, `${ctx.taskId} (before its first record)`);
  }
}

/**
 * Runs the job's cleanup hook of a phase, if it has one, after the task's last record:
 * its emits take the phase's own path (`emit`). An error of an emitted record is
 * reported as the hook's, like one of a map's emit is the map's.
 */
export async function runCleanup(
  job: AnyJob,
  phase: 'map' | 'reduce',
  emit: Emit<Key, unknown>,
  ctx: TaskContext,
): Promise<void> {
  const hook = phase === 'map' ? job.mapCleanup : job.reduceCleanup;
  if (!hook) return;
  const name = phase === 'map' ? 'mapCleanup' : 'reduceCleanup';
  try {
    await hook(emit, ctx);
  } catch (err) {
    throw err instanceof UserCodeError ? err : new UserCodeError(name, err, `${ctx.taskId} (after its last record)`);
  }
}
