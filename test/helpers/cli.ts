import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** The repository root (tests run from dist/test/...). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
/** The `mr` executable as a new user runs it. */
export const MR = path.join(ROOT, 'bin', 'mr.js');

/** What a finished `mr` command left. */
export interface MrResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of an `mr` a test starts: the test's, without a token file unless the test
 * gives one (MR_TOKEN_FILE empty means none), so a ~/.groove/token of whoever runs the tests
 * does not change what they test.
 */
export function mrEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, MR_TOKEN_FILE: '', ...env };
}

/** Options of {@link runMr} and {@link runProcess}. */
export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** Working directory; default the repository root. */
  readonly cwd?: string;
}

/** Runs `mr ARGS...` to completion. */
export function runMr(args: readonly string[], options: RunOptions = {}): Promise<MrResult> {
  return runProcess(process.execPath, [MR, ...args], { ...options, env: mrEnv(options.env) });
}

/** Runs any command to completion (its environment: the test's plus `env`). */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<MrResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out; stderr: ${Buffer.concat(err).toString()}`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/** A long-running `mr master` or `mr worker` started by a test. */
export interface Daemon {
  readonly process: ChildProcess;
  /** Everything it wrote to stderr so far. */
  log(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it exited. */
  stop(): Promise<void>;
}

/**
 * Starts `mr ARGS...` in the background and resolves once a line of its stderr matches
 * `ready` (the match is returned), so tests wait for the event instead of sleeping.
 */
export function startDaemon(
  args: readonly string[],
  ready: RegExp,
  timeoutMs = 30_000,
  env?: NodeJS.ProcessEnv,
): Promise<{ daemon: Daemon; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MR, ...args], {
      cwd: ROOT,
      env: mrEnv(env),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let text = '';
    const daemon: Daemon = {
      process: child,
      log: () => text,
      stop: () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(timer);
            done();
          });
          child.kill('SIGTERM');
        }),
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mr ${args.join(' ')} did not become ready; stderr: ${text}`));
    }, timeoutMs);
    let matched = false;
    child.stderr.on('data', (d: Buffer) => {
      text += d.toString();
      const m = ready.exec(text);
      if (m && !matched) {
        matched = true;
        clearTimeout(timer);
        resolve({ daemon, match: m });
      }
    });
    child.on('exit', (code) => {
      if (!matched) {
        clearTimeout(timer);
        reject(new Error(`mr ${args.join(' ')} exited with ${String(code)} before it was ready: ${text}`));
      }
    });
  });
}
