import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createLogger, GrooveError } from '../common/index.js';
import type { AttemptFailureReason, Logger } from '../common/index.js';
import type { ChildToParent, ParentToChild } from './pool-messages.js';
import type { OpenFetchAnswer, OpenFetchRequest, PeerFetchOptions } from './shuffle/index.js';
import type { TaskFailure, TaskResult, TaskSpec } from './task-spec.js';

/**
 * glibc's mmap threshold for pool processes (bytes, a string for the environment; the
 * user's own MALLOC_MMAP_THRESHOLD_ wins). By default glibc raises the threshold to the
 * size of the largest block freed, so after a map task frees its megabyte buffers the
 * next ones come from the heap and stay in RSS when freed: a reduce running after maps
 * measured 260-280 MB instead of about 210 MB. A fixed threshold keeps large buffers
 * mmapped, so freeing them gives the memory back.
 */
const POOL_MMAP_THRESHOLD = String(128 * 1024);

/** A task attempt that ended in failure, with what the pool process reported. */
export class TaskAttemptError extends GrooveError {
  constructor(
    readonly failure: TaskFailure,
    options?: { cause?: unknown },
  ) {
    super(failure.message, options);
  }
}

/** Options of a {@link ProcessPool}. */
export interface ProcessPoolOptions {
  /** Number of pool processes (slots). */
  readonly size: number;
  readonly logger: Logger;
  /** A task that reports no progress for this long is killed, ms. */
  readonly taskTimeoutMs: number;
  /** V8 heap limit of each pool process, MiB; past it the process dies and is replaced. */
  readonly memoryLimitMb: number;
  /** How long a pool process may take to exit after `shutdown` before SIGKILL, ms. Default 5000. */
  readonly stopTimeoutMs?: number;
  /** Run pool processes as this uid/gid (job code then has only that user's rights). */
  readonly runAs?: { readonly uid: number; readonly gid: number };
  /**
   * Opens the fetches reducers ask for (the daemon's gRPC calls to its peers; see
   * shuffle/serve/peer-fetches.ts). Without it, every fetch fails.
   */
  readonly openFetch?: (request: OpenFetchRequest, options: PeerFetchOptions) => Promise<OpenFetchAnswer>;
  /**
   * Takes every line job code writes in an attempt (`ctx.log`, `console`, and what it writes
   * to its process's stdout and stderr), to keep in the attempt's log (task-log-store.ts).
   */
  readonly onJobLine?: (attempt: AttemptIds, level: 'info' | 'warn', message: string) => void;
  /** Where job code's lines are logged besides (default {@link JOB_OUTPUT}); the daemon's adds its worker id. */
  readonly jobLogger?: Logger;
}

/** Which attempt a line of job output belongs to. */
export interface AttemptIds {
  readonly jobId: string;
  readonly taskId: string;
  readonly attempt: number;
}

const CHILD_SCRIPT = path.join(__dirname, 'pool-child.js');
/**
 * Job code's own output (`ctx.log`, `console`), tagged with job and task. It is shown at
 * info and above even where Groove logs only errors (`mr run`): the user wrote it to see it.
 */
export const JOB_OUTPUT = createLogger('job', 'info');
/** How much of a pool process's stderr is kept to explain its death. */
const STDERR_TAIL_BYTES = 4096;

interface Running {
  readonly spec: TaskSpec;
  readonly resolve: (result: TaskResult) => void;
  readonly reject: (err: Error) => void;
  lastProgress: number;
  /** Why the daemon killed it, when it did. */
  killedBecause?: string;
  /** The same, as a failure reason (timeout, cancelled). */
  killedFor?: AttemptFailureReason;
}

interface PoolProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  isReady: boolean;
  running?: Running;
  stderrTail: string;
  /** Fetches the daemon runs for it: they end when it does. */
  readonly fetches: Set<AbortController>;
}

/**
 * A fixed number of long-lived child processes that run task attempts one at a time
 * each. A child that dies (crash, exit, out of memory, killed for silence or by a
 * cancel) is never reused: its attempt fails and a fresh child takes its place.
 */
export class ProcessPool {
  private readonly procs: PoolProcess[] = [];
  private readonly waiting: Running[] = [];
  private stopping = false;
  private readonly watchdog: NodeJS.Timeout;

  constructor(private readonly options: ProcessPoolOptions) {
    this.watchdog = setInterval(() => this.checkProgress(), Math.max(100, Math.min(1000, options.taskTimeoutMs / 4)));
    this.watchdog.unref();
  }

  /** Forks every pool process and waits until each has said it is ready. */
  async start(): Promise<void> {
    for (let i = 0; i < this.options.size; i++) this.procs.push(this.spawn());
    await Promise.all(this.procs.map((p) => p.ready));
  }

  /** Runs one task attempt on a free pool process (queued if none is free). */
  run(spec: TaskSpec): Promise<TaskResult> {
    return new Promise<TaskResult>((resolve, reject) => {
      if (this.stopping) {
        reject(new TaskAttemptError({ message: 'the worker is shutting down', user: false, reason: 'shutdown' }));
        return;
      }
      this.waiting.push({ spec, resolve, reject, lastProgress: Date.now() });
      this.dispatch();
    });
  }

  /** Stops the attempts that match (queued ones dropped, running ones killed); resolves when their processes are gone. */
  async cancel(match: (spec: TaskSpec) => boolean): Promise<void> {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i] as Running;
      if (match(w.spec)) {
        this.waiting.splice(i, 1);
        w.reject(new TaskAttemptError({ message: 'cancelled', user: false, reason: 'cancelled' }));
      }
    }
    const victims = this.procs.filter((p) => p.running && match(p.running.spec));
    for (const p of victims) this.kill(p, 'cancelled', 'cancelled');
    await Promise.all(victims.map((p) => p.exited));
  }

  /** Number of tasks running or queued. */
  get busy(): number {
    return this.runningCount + this.waiting.length;
  }

  /** Number of tasks running (on a pool process each). */
  get runningCount(): number {
    return this.procs.filter((p) => p.running).length;
  }

  /** Pids of the pool processes (for tests and diagnostics). */
  get pids(): number[] {
    return this.procs.map((p) => p.child.pid ?? 0).filter((pid) => pid > 0);
  }

  /** Asks every pool process to exit, then kills the ones that do not. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdog);
    for (const w of this.waiting.splice(0))
      w.reject(new TaskAttemptError({ message: 'the worker is shutting down', user: false, reason: 'shutdown' }));
    const timeout = this.options.stopTimeoutMs ?? 5000;
    await Promise.all(
      this.procs.map((p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
        const timer = setTimeout(() => p.child.kill('SIGKILL'), timeout);
        if (p.running || !p.child.connected) p.child.kill('SIGTERM');
        else this.sendTo(p, { type: 'shutdown' });
        return p.exited.then(() => clearTimeout(timer));
      }),
    );
  }

  private spawn(): PoolProcess {
    const child = fork(CHILD_SCRIPT, [], {
      serialization: 'advanced',
      execArgv: [`--max-old-space-size=${this.options.memoryLimitMb}`],
      // stdout is piped, never inherited: under `mr run` the daemon's stdout carries the
      // results, and whatever job code writes there (process.stdout.write) must not mix in.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { MALLOC_MMAP_THRESHOLD_: POOL_MMAP_THRESHOLD, ...process.env, GROOVE_POOL_PROCESS: '1' },
      ...(this.options.runAs ? { uid: this.options.runAs.uid, gid: this.options.runAs.gid } : {}),
    });
    let markReady: () => void = () => undefined;
    let markExited: () => void = () => undefined;
    const proc: PoolProcess = {
      child,
      ready: new Promise<void>((resolve) => (markReady = resolve)),
      exited: new Promise<void>((resolve) => (markExited = resolve)),
      isReady: false,
      stderrTail: '',
      fetches: new Set(),
    };
    // Keep the tail of stderr to explain a death (V8 prints "heap out of memory" there),
    // and pass it on so what job code writes there is not lost; both streams also go to
    // the running attempt's log (a crash's last words included).
    child.stderr?.on('data', (d: Buffer) => {
      process.stderr.write(d);
      proc.stderrTail = (proc.stderrTail + d.toString()).slice(-STDERR_TAIL_BYTES);
      this.rawOutput(proc, 'warn', d);
    });
    child.stdout?.on('data', (d: Buffer) => {
      process.stderr.write(d);
      this.rawOutput(proc, 'info', d);
    });
    child.on('message', (message: ChildToParent) => this.onMessage(proc, message, markReady));
    child.on('exit', (code, signal) => {
      this.onExit(proc, code, signal);
      markExited();
    });
    child.on('error', (err) => this.options.logger.warn('pool process error', { pid: child.pid, error: err.message }));
    return proc;
  }

  private kill(proc: PoolProcess, why: string, reason: AttemptFailureReason): void {
    if (proc.running) {
      proc.running.killedBecause = why;
      proc.running.killedFor = reason;
    }
    proc.child.kill('SIGKILL');
  }

  private checkProgress(): void {
    const now = Date.now();
    for (const p of this.procs) {
      const r = p.running;
      if (r && !r.killedBecause && now - r.lastProgress > this.options.taskTimeoutMs) {
        this.options.logger.warn('task made no progress; killing its pool process', {
          job: r.spec.jobId,
          task: r.spec.taskId,
          attempt: r.spec.attempt,
          pid: p.child.pid,
        });
        this.kill(
          p,
          `no progress for ${Math.round((now - r.lastProgress) / 1000)} s (task timeout ${this.options.taskTimeoutMs / 1000} s)`,
          'timeout',
        );
      }
    }
  }

  private onMessage(proc: PoolProcess, message: ChildToParent, markReady: () => void): void {
    switch (message.type) {
      case 'ready':
        proc.isReady = true;
        markReady();
        this.dispatch();
        return;
      case 'progress':
        if (proc.running) proc.running.lastProgress = Date.now();
        return;
      case 'done':
      case 'failed': {
        const running = proc.running;
        if (
          !running ||
          running.killedBecause ||
          running.spec.taskId !== message.taskId ||
          running.spec.attempt !== message.attempt
        )
          return;
        proc.running = undefined;
        if (message.type === 'done') running.resolve(message.result);
        else running.reject(new TaskAttemptError(message.failure));
        this.dispatch();
        return;
      }
      case 'log':
        (this.options.jobLogger ?? JOB_OUTPUT)[message.level](message.message, {
          job: message.jobId,
          task: message.taskId,
          attempt: message.attempt,
        });
        this.options.onJobLine?.(message, message.level, message.message);
        return;
      case 'openFetch':
        this.openFetch(proc, message.id, message.request);
        return;
    }
  }

  /**
   * What a pool process wrote to its stdout or stderr, as lines of the attempt it runs
   * (none between attempts: the output of job code loading, say, belongs to no attempt).
   */
  private rawOutput(proc: PoolProcess, level: 'info' | 'warn', data: Buffer): void {
    const spec = proc.running?.spec;
    const sink = this.options.onJobLine;
    if (!spec || !sink) return;
    for (const line of data.toString().split('\n')) if (line !== '') sink(spec, level, line);
  }

  /** Runs a fetch the child asked for and sends the answer back, unless the child is gone by then. */
  private openFetch(proc: PoolProcess, id: number, request: OpenFetchRequest): void {
    const open = this.options.openFetch;
    const abort = new AbortController();
    proc.fetches.add(abort);
    // Data streamed here is the reducer's progress as much as the bytes it receives itself.
    const onChunk = (): void => {
      if (proc.running) proc.running.lastProgress = Date.now();
    };
    const answer: Promise<OpenFetchAnswer> = open
      ? open(request, { signal: abort.signal, onChunk })
      : Promise.resolve({ kind: 'failed', message: 'this pool fetches nothing (no openFetch)', local: false });
    void answer.then((a) => {
      proc.fetches.delete(abort);
      if (!abort.signal.aborted && proc.child.connected) this.sendTo(proc, { type: 'fetchOpened', id, answer: a });
    });
  }

  private onExit(proc: PoolProcess, code: number | null, signal: NodeJS.Signals | null): void {
    const index = this.procs.indexOf(proc);
    if (index >= 0) this.procs.splice(index, 1);
    for (const f of proc.fetches) f.abort();
    proc.fetches.clear();
    const running = proc.running;
    proc.running = undefined;
    if (running) {
      const message = running.killedBecause ?? deathCause(proc, code, signal);
      // A pool process that stops with its worker did not crash: the attempt is handed back.
      const reason = running.killedFor ?? (this.stopping ? 'shutdown' : deathReason(proc));
      running.reject(new TaskAttemptError({ message, user: false, reason }));
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
      next.lastProgress = Date.now();
      free.running = next;
      this.sendTo(free, { type: 'run', spec: next.spec });
    }
  }

  private sendTo(proc: PoolProcess, message: ParentToChild): void {
    proc.child.send(message);
  }
}

/** Whether a pool process's unexpected death was for want of memory (V8 says so on stderr). */
function outOfMemory(proc: PoolProcess): boolean {
  return /heap out of memory|Allocation failed/i.test(proc.stderrTail);
}

/** The failure reason of a pool process's unexpected death. */
function deathReason(proc: PoolProcess): AttemptFailureReason {
  return outOfMemory(proc) ? 'out_of_memory' : 'crash';
}

/** A one-line reason for a pool process's unexpected death. */
function deathCause(proc: PoolProcess, code: number | null, signal: NodeJS.Signals | null): string {
  if (outOfMemory(proc)) return `the pool process ran out of memory (its limit is set by --task-memory-mb)`;
  const how = signal ? `signal ${signal}` : `code ${String(code)}`;
  return `the pool process exited with ${how}`;
}
