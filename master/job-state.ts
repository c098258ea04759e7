import { IllegalTransitionError } from './illegal-transition-error.js';

/**
 * Lifecycles of jobs and tasks, with the legal transitions in one place.
 *
 *   job:  running -> succeeded | failed | killed
 *   task: pending -> running -> succeeded | failed
 *         running -> pending     (every attempt failed, was lost or cancelled, and it may run again)
 *         succeeded -> pending   (its output was lost with its worker, or a reducer could not fetch it)
 */
export type JobState = 'running' | 'succeeded' | 'failed' | 'killed';

/** States of one map or reduce task. */
export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed';

const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  running: ['succeeded', 'failed', 'killed'],
  succeeded: [],
  failed: [],
  killed: [],
};

const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  pending: ['running', 'failed'],
  running: ['succeeded', 'failed', 'pending'],
  succeeded: ['pending'],
  failed: [],
};

/** True when a job in `state` will never change again. */
export function isTerminal(state: JobState): boolean {
  return JOB_TRANSITIONS[state].length === 0;
}

/** Checks a transition of job `jobId`; an illegal one is a bug in the master. */
export function assertJobTransition(jobId: string, from: JobState, to: JobState): void {
  if (!JOB_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError('job', jobId, from, to);
}

/** Checks a transition of task `taskId` (`job/task`); an illegal one is a bug in the master. */
export function assertTaskTransition(taskId: string, from: TaskState, to: TaskState): void {
  if (!TASK_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError('task', taskId, from, to);
}
