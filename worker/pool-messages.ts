import type { TaskFailure, TaskResult, TaskSpec } from './task-spec.js';

/** Messages from the daemon to a pool process. */
export type ParentToChild =
  | { readonly type: 'run'; readonly spec: TaskSpec }
  | { readonly type: 'shutdown' };

/** Messages from a pool process to the daemon. */
export type ChildToParent =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'progress'; readonly taskId: string; readonly attempt: number }
  | { readonly type: 'done'; readonly taskId: string; readonly attempt: number; readonly result: TaskResult }
  | { readonly type: 'failed'; readonly taskId: string; readonly attempt: number; readonly failure: TaskFailure }
  | { readonly type: 'log'; readonly level: 'info' | 'warn'; readonly message: string; readonly taskId: string; readonly jobId: string };
