import type { OpenFetchAnswer, OpenFetchRequest } from './shuffle/index.js';
import type { TaskFailure, TaskResult, TaskSpec } from './task-spec.js';

/** Messages from the daemon to a pool process. */
export type ParentToChild =
  | { readonly type: 'run'; readonly spec: TaskSpec }
  /** The answer to the child's `openFetch` of the same id. */
  | { readonly type: 'fetchOpened'; readonly id: number; readonly answer: OpenFetchAnswer }
  | { readonly type: 'shutdown' };

/** Messages from a pool process to the daemon. */
export type ChildToParent =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'progress'; readonly taskId: string; readonly attempt: number }
  | { readonly type: 'done'; readonly taskId: string; readonly attempt: number; readonly result: TaskResult }
  | { readonly type: 'failed'; readonly taskId: string; readonly attempt: number; readonly failure: TaskFailure }
  | {
      readonly type: 'log';
      readonly level: 'info' | 'warn';
      readonly message: string;
      readonly taskId: string;
      readonly jobId: string;
      readonly attempt: number;
    }
  /** A reducer asks the daemon to open a fetch from a peer (the daemon holds the gRPC clients). */
  | { readonly type: 'openFetch'; readonly id: number; readonly request: OpenFetchRequest };
