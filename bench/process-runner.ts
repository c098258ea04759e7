import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { ROOT } from './paths.js';
import { PoolMemoryWatch } from './pool-memory-watch.js';

/** Options of {@link runTimed}. */
export interface RunOptions {
  /** Where stdout goes; default discarded. */
  readonly stdoutFile?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Killed (and the run failed) past this, ms. Default 30 minutes. */
  readonly timeoutMs?: number;
  /** Poll the peak RSS of Groove pool processes started below this process. */
  readonly watchPools?: boolean;
  /**
   * Also measure the CPU time of the command and every process below it (user + system,
   * through bash's `times`): on a shared machine wall times move with the neighbours' load,
   * CPU seconds much less.
   */
  readonly cpu?: boolean;
}

/** What one timed command did. */
export interface TimedRun {
  /** Wall time from spawn to exit, ms. */
  readonly millis: number;
  readonly stderr: string;
  /** Peak RSS of each pool process seen, bytes (empty unless watchPools). */
  readonly poolPeaks: number[];
  /** User + system CPU seconds of the command and its descendants (with `cpu`). */
  readonly cpuSeconds?: number;
}

/** bash's `times` prints its own times, then its children's: `0m1.234s 0m0.056s`. */
function childCpuSeconds(stderr: string): number | undefined {
  const lines = stderr.trimEnd().split('\n');
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines[lines.length - 1] ?? '');
  if (!m) return undefined;
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

/** Runs a command to completion and times it; rejects with its stderr when it fails. */
export function runTimed(command: string, args: readonly string[], options: RunOptions = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const out = options.stdoutFile ? fs.openSync(options.stdoutFile, 'w') : 'ignore';
    const started = process.hrtime.bigint();
    const [cmd, argv] = options.cpu
      ? ['bash', ['-c', '"$@"; s=$?; times >&2; exit $s', 'bash', command, ...args]]
      : [command, [...args]];
    const child = spawn(cmd, argv, {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', out, 'pipe'],
    });
    if (typeof out === 'number') fs.closeSync(out);
    const watch = options.watchPools && child.pid ? new PoolMemoryWatch(() => [child.pid as number]) : undefined;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-64 * 1024);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30 * 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const millis = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      const peaks = watch ? [...watch.stop().values()] : [];
      if (code !== 0)
        reject(
          new Error(
            `${command} ${args.join(' ').slice(0, 300)} failed (${signal ?? `exit ${String(code)}`}): ${stderr.trim().slice(-2000)}`,
          ),
        );
      else resolve({ millis, stderr, poolPeaks: peaks, cpuSeconds: options.cpu ? childCpuSeconds(stderr) : undefined });
    });
  });
}
