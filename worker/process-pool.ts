import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { Logger } from '../common/logger.js';
import type { ChildToParent, ParentToChild } from './pool-messages.js';
import type { TaskFailure, TaskResult, TaskSpec } from './task-spec.js';

/** A task attempt that ended in failure, with what the pool process reported. */
export class TaskAttemptError extends Error {
  constructor(readonly failure: TaskFailure) {
    super(failure.message);
    this.name = 'TaskAttemptError';
  }
}

/** Options of a {@link ProcessPool}. */
export interface ProcessPoolOptions {
  /** Number of pool processes (slots). */
  readonly size: number;
  readonly logger: Logger;
  /** How long a pool process may take to exit after `shutdown` before SIGKILL, ms. Default 5000. */
  readonly stopTimeoutMs?: number;
}

const CHILD_SCRIPT = path.join(__dirname, 'pool-child.js');

interface Running {
  readonly spec: TaskSpec;
  readonly resolve: (result: TaskResult) => void;
  readonly reject: (err: Error) => void;
}

interface PoolProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  isReady: boolean;
  running?: Running;
}

/**
 * A fixed number of long-lived child processes that run task attempts one at a time
 * each. A child that dies is never reused: its task fails and a fresh child replaces it.
 */
export class ProcessPool {
  private readonly procs: PoolProcess[] = [];
  private readonly waiting: Running[] = [];
  private stopping = false;

  constructor(private readonly options: ProcessPoolOptions) {}

  /** Forks every pool process and waits until each has said it is ready. */
  async start(): Promise<void> {
    for (let i = 0; i < this.options.size; i++) this.procs.push(this.spawn());
    await Promise.all(this.procs.map((p) => p.ready));
  }

  /** Runs one task attempt on a free pool process (queued if none is free). */
  run(spec: TaskSpec): Promise<TaskResult> {
    return new Promise<TaskResult>((resolve, reject) => {
      if (this.stopping) {
        reject(new Error('the process pool is stopping'));
        return;
      }
      this.waiting.push({ spec, resolve, reject });
      this.dispatch();
    });
  }

  /** Kills the pool processes running tasks of a job (the kill fails those tasks); queued ones are dropped. */
  cancelJob(jobId: string): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i] as Running;
      if (w.spec.jobId === jobId) {
        this.waiting.splice(i, 1);
        w.reject(new TaskAttemptError({ message: 'cancelled', user: false }));
      }
    }
    for (const p of this.procs) if (p.running?.spec.jobId === jobId) p.child.kill('SIGKILL');
  }

  /** Number of tasks running now. */
  get busy(): number {
    return this.procs.filter((p) => p.running).length;
  }

  /** Asks every pool process to exit, then kills the ones that do not. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const w of this.waiting.splice(0)) w.reject(new Error('the process pool stopped'));
    const timeout = this.options.stopTimeoutMs ?? 5000;
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
            const timer = setTimeout(() => p.child.kill('SIGKILL'), timeout);
            p.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (p.running || !p.child.connected) p.child.kill('SIGTERM');
            else this.sendTo(p, { type: 'shutdown' });
          }),
      ),
    );
  }

  private spawn(): PoolProcess {
    const child = fork(CHILD_SCRIPT, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, GROOVE_POOL_PROCESS: '1' },
    });
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const proc: PoolProcess = { child, ready, isReady: false };
    child.on('message', (message: ChildToParent) => this.onMessage(proc, message, markReady));
    child.on('exit', (code, signal) => this.onExit(proc, code, signal));
    child.on('error', (err) => this.options.logger.warn('pool process error', { pid: child.pid, error: err.message }));
    return proc;
  }

  private onMessage(proc: PoolProcess, message: ChildToParent, markReady: () => void): void {
    switch (message.type) {
      case 'ready':
        proc.isReady = true;
        markReady();
        this.dispatch();
        return;
      case 'done':
      case 'failed': {
        const running = proc.running;
        if (!running || running.spec.taskId !== message.taskId || running.spec.attempt !== message.attempt) return;
        proc.running = undefined;
        if (message.type === 'done') running.resolve(message.result);
        else running.reject(new TaskAttemptError(message.failure));
        this.dispatch();
        return;
      }
      case 'log':
        this.options.logger[message.level](message.message, { job: message.jobId, task: message.taskId, source: 'job' });
        return;
    }
  }

  private onExit(proc: PoolProcess, code: number | null, signal: NodeJS.Signals | null): void {
    const index = this.procs.indexOf(proc);
    if (index >= 0) this.procs.splice(index, 1);
    const running = proc.running;
    proc.running = undefined;
    if (running) {
      const how = signal ? `signal ${signal}` : `code ${String(code)}`;
      running.reject(new TaskAttemptError({ message: `pool process ${String(proc.child.pid)} exited with ${how} while running ${running.spec.taskId}`, user: false }));
    }
    if (!this.stopping) {
      this.options.logger.warn('pool process exited; starting a new one', { pid: proc.child.pid, code, signal });
      this.procs.push(this.spawn());
    }
  }

  private dispatch(): void {
    while (this.waiting.length) {
      const free = this.procs.find((p) => p.isReady && !p.running && p.child.connected);
      if (!free) return;
      const next = this.waiting.shift() as Running;
      free.running = next;
      this.sendTo(free, { type: 'run', spec: next.spec });
    }
  }

  private sendTo(proc: PoolProcess, message: ParentToChild): void {
    proc.child.send(message);
  }
}
