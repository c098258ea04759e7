import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { MR, ROOT } from './paths.js';

/** A long-running `mr master` or `mr worker` the bench started. */
export interface Daemon {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The match of the readiness pattern on its stderr. */
  readonly match: RegExpExecArray;
  /** Everything it wrote to stderr (its tail). */
  log(): string;
  /** SIGINT (stop now; a profiled daemon still writes its profile), SIGKILL after 60 s; resolves when it exited. */
  stop(): Promise<void>;
}

/**
 * Starts `node bin/mr.js ARGS...` (with extra environment, e.g. NODE_OPTIONS for
 * profiling) and resolves once its stderr matches `ready`, as a user would wait for
 * `listening on` or `serving data on`.
 */
export function startDaemon(
  args: readonly string[],
  ready: RegExp,
  env?: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<Daemon> {
  return new Promise((resolve, reject) => {
    // No token file unless asked (MR_TOKEN_FILE empty), so a ~/.groove/token of whoever runs the bench changes nothing.
    const child = spawn(process.execPath, [MR, ...args], {
      cwd: ROOT,
      env: { ...process.env, MR_TOKEN_FILE: '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let text = '';
    let daemon: Daemon | undefined;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mr ${args.join(' ')} did not become ready: ${text}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      text = (text + d.toString()).slice(-256 * 1024);
      const m = daemon ? null : ready.exec(text);
      if (!m) return;
      clearTimeout(timer);
      daemon = {
        process: child,
        pid: child.pid as number,
        match: m,
        log: () => text,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
          child.kill('SIGINT');
          await exited;
          clearTimeout(kill);
        },
      };
      resolve(daemon);
    });
    child.on('exit', (code) => {
      if (daemon) return;
      clearTimeout(timer);
      reject(new Error(`mr ${args.join(' ')} exited with ${String(code)} before it was ready: ${text}`));
    });
  });
}
