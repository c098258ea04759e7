import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { intOption, UserError } from '../common/index.js';
import { NO_SECURITY } from '../proto/wire/index.js';
import type { Security } from '../proto/wire/index.js';

/** Options of a worker daemon (`mr worker`). */
export interface WorkerDaemonOptions {
  /** The master's host:port. Required. */
  readonly master: string;
  /** Address the shuffle service binds to. Default 127.0.0.1: nothing is exposed unless asked. */
  readonly host?: string;
  /** Port of the shuffle service; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** The shuffle's bulk port, bound on `host` too; 0 picks a free one. Default 0. */
  readonly bulkPort?: number;
  /**
   * Host name or address other workers and clients use to reach this one. Default: `host`;
   * when `host` is a wildcard (0.0.0.0, ::), the host name, or the first non-loopback IPv4
   * address if the name resolves to loopback (see advertise-address.ts).
   */
  readonly advertise?: string;
  /** Pool processes (concurrent tasks). Default: the number of cores. */
  readonly slots?: number;
  /** Where packs, map outputs and part files live. Required. */
  readonly dataDir: string;
  /** Heartbeat interval, ms. Default 1000. */
  readonly heartbeatMs?: number;
  /** A task that reports no progress for this long is killed and retried, ms. Default 120000. */
  readonly taskTimeoutMs?: number;
  /** Heap limit of each pool process, MiB. Default 2048. */
  readonly taskMemoryMb?: number;
  /** On SIGTERM, how long running tasks may take to finish before they are handed back, ms. Default 60000. */
  readonly drainTimeoutMs?: number;
  /** Cluster token and TLS material, for the shuffle service and every connection. Default: none. */
  readonly security?: Security;
  /** Allow listening beyond loopback without a token (warns on every start). Default false. */
  readonly insecure?: boolean;
  /** Run pool processes (the only ones that run job code) as this user; the daemon must run as root. */
  readonly runAs?: string;
}

/** Worker options with every default applied and every value checked. */
export interface CompiledWorkerDaemonOptions {
  readonly master: string;
  readonly host: string;
  readonly port: number;
  readonly bulkPort: number;
  /** --advertise as given (the address is chosen at start, see advertise-address.ts). */
  readonly advertise?: string;
  readonly slots: number;
  readonly dataDir: string;
  readonly heartbeatMs: number;
  readonly taskTimeoutMs: number;
  readonly taskMemoryMb: number;
  readonly drainTimeoutMs: number;
  readonly security: Security;
  readonly insecure: boolean;
  /** uid and gid for pool processes, from --run-as. */
  readonly runAs?: { readonly user: string; readonly uid: number; readonly gid: number };
}

/** Looks a user up by name (or numeric id) for --run-as. */
function resolveUser(user: string): { user: string; uid: number; gid: number } {
  if (process.getuid?.() !== 0) throw new UserError('--run-as needs the worker to run as root (it switches its pool processes to that user)');
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(user)) throw new UserError(`--run-as: bad user name ${JSON.stringify(user)}`);
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('not a number');
    return { user, uid, gid };
  } catch (err) {
    throw new UserError(`--run-as: no such user ${user}`, { cause: err });
  }
}

/** Applies defaults and validates; errors name the option. */
export function compileWorkerOptions(options: WorkerDaemonOptions): CompiledWorkerDaemonOptions {
  if (!options.master || !/^[^\s:]+:\d+$/.test(options.master)) throw new UserError(`--master must be HOST:PORT, got ${JSON.stringify(options.master)}`);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be an integer from 0 to 65535, got ${String(port)}`);
  const bulkPort = options.bulkPort ?? 0;
  if (!Number.isInteger(bulkPort) || bulkPort < 0 || bulkPort > 65535) throw new UserError(`--bulk-port must be an integer from 0 to 65535, got ${String(bulkPort)}`);
  const slots = options.slots ?? Math.max(1, os.availableParallelism());
  if (!Number.isInteger(slots) || slots < 1 || slots > 1024) throw new UserError(`--slots must be an integer from 1 to 1024, got ${String(slots)}`);
  if (!options.dataDir) throw new UserError('--data-dir is required');
  const advertise = options.advertise;
  if (advertise !== undefined && !/^[^\s/:]+$|^\[[0-9A-Fa-f:.]+\]$/.test(advertise)) {
    throw new UserError(`--advertise must be a host name or address without a port, got ${JSON.stringify(advertise)}`);
  }
  const int = intOption;
  const heartbeatMs = int('heartbeatMs', options.heartbeatMs, 1000, 10);
  const taskTimeoutMs = int('--task-timeout', options.taskTimeoutMs, 120_000, 100);
  const taskMemoryMb = int('--task-memory-mb', options.taskMemoryMb, 2048, 64);
  const drainTimeoutMs = int('--drain-timeout', options.drainTimeoutMs, 60_000, 0);
  return {
    master: options.master,
    host,
    port,
    bulkPort,
    advertise,
    slots,
    dataDir: options.dataDir,
    heartbeatMs,
    taskTimeoutMs,
    taskMemoryMb,
    drainTimeoutMs,
    security: options.security ?? NO_SECURITY,
    insecure: options.insecure ?? false,
    runAs: options.runAs === undefined ? undefined : resolveUser(options.runAs),
  };
}
