import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { checkOption, checkOptionalOption, UserError } from '../common/index.js';
import type { OptionTable } from '../common/index.js';
import { NO_SECURITY } from '../proto/wire/index.js';
import type { Security } from '../proto/wire/index.js';

/**
 * The worker's numeric options: defaults, bounds, units and CLI flags, written once. The
 * compiler checks against it, `mr worker` (and `mr run --slots`) build flags and help from it.
 */
export const WORKER_OPTION_TABLE = {
  port: {
    flag: 'port',
    unit: 'port',
    default: 0,
    min: 0,
    max: 65535,
    describe: 'shuffle service port (0: any free port)',
  },
  bulkPort: {
    flag: 'bulk-port',
    unit: 'port',
    default: 0,
    min: 0,
    max: 65535,
    describe: 'shuffle bulk port, bound on --host too (0: any free port)',
  },
  httpPort: {
    flag: 'http-port',
    unit: 'port',
    defaultText: 'none',
    min: 0,
    max: 65535,
    describe: 'HTTP port of /metrics (Prometheus), bound on --host too (0: any free port; none if not given)',
  },
  // 1024: far past any machine's cores, and each slot is a process with its own heap.
  slots: {
    flag: 'slots',
    unit: 'count',
    defaultText: 'cores',
    min: 1,
    max: 1024,
    describe: 'pool processes (concurrent tasks)',
  },
  heartbeatMs: { unit: 'ms', default: 1000, min: 10, describe: 'heartbeat interval' },
  taskTimeoutMs: {
    flag: 'task-timeout',
    unit: 'ms',
    flagUnit: 'seconds',
    default: 120_000,
    min: 100,
    describe: 'time without progress after which a task is killed and retried',
  },
  taskMemoryMb: {
    flag: 'task-memory-mb',
    unit: 'MiB',
    default: 2048,
    min: 64,
    describe: 'heap limit of each pool process',
  },
  drainTimeoutMs: {
    flag: 'drain-timeout',
    unit: 'ms',
    flagUnit: 'seconds',
    default: 60_000,
    min: 0,
    describe: 'on SIGTERM, time running tasks may take to finish before they are handed back',
  },
} as const satisfies OptionTable<string>;

/** Options of a worker daemon (`mr worker`); numeric ones have their default, unit and bounds in {@link WORKER_OPTION_TABLE}. */
export interface WorkerDaemonOptions {
  /** The master's host:port. Required. */
  readonly master: string;
  /** Address the shuffle service binds to. Default 127.0.0.1: nothing is exposed unless asked. */
  readonly host?: string;
  /** Port of the shuffle service; 0 picks a free one. See {@link WORKER_OPTION_TABLE}.port. */
  readonly port?: number;
  /** The shuffle's bulk port, bound on `host` too; 0 picks a free one. See {@link WORKER_OPTION_TABLE}.bulkPort. */
  readonly bulkPort?: number;
  /**
   * Host name or address other workers and clients use to reach this one. Default: `host`;
   * when `host` is a wildcard (0.0.0.0, ::), the host name, or the first non-loopback IPv4
   * address if the name resolves to loopback (see advertise-address.ts).
   */
  readonly advertise?: string;
  /** Port of the HTTP server of /metrics, bound on `host` too; 0 picks a free one; undefined serves none. See {@link WORKER_OPTION_TABLE}.httpPort. */
  readonly httpPort?: number;
  /** Pool processes (concurrent tasks). Default: the number of cores; bounds in {@link WORKER_OPTION_TABLE}.slots. */
  readonly slots?: number;
  /** Where packs, map outputs and part files live. Required. */
  readonly dataDir: string;
  /** Heartbeat interval, ms. See {@link WORKER_OPTION_TABLE}.heartbeatMs. */
  readonly heartbeatMs?: number;
  /** A task that reports no progress for this long is killed and retried, ms. See {@link WORKER_OPTION_TABLE}.taskTimeoutMs. */
  readonly taskTimeoutMs?: number;
  /** Heap limit of each pool process, MiB. See {@link WORKER_OPTION_TABLE}.taskMemoryMb. */
  readonly taskMemoryMb?: number;
  /** On SIGTERM, how long running tasks may take to finish before they are handed back, ms. See {@link WORKER_OPTION_TABLE}.drainTimeoutMs. */
  readonly drainTimeoutMs?: number;
  /** Cluster token and TLS material, for the shuffle service and every connection. Default: none. */
  readonly security?: Security;
  /** Allow listening beyond loopback without a token (warns on every start). Default false. */
  readonly insecure?: boolean;
  /** Run pool processes (the only ones that run job code) as this user; the daemon must run as root. */
  readonly runAs?: string;
  /**
   * Serve the standard gRPC health service (grpc.health.v1) on the shuffle service's port,
   * answering without a token; NOT_SERVING once draining. Default true; an embedded cluster
   * (`mr run`) turns it off.
   */
  readonly healthService?: boolean;
}

/** Worker options with every default applied and every value checked. */
export interface CompiledWorkerDaemonOptions {
  readonly master: string;
  readonly host: string;
  readonly port: number;
  readonly bulkPort: number;
  readonly httpPort: number | undefined;
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
  readonly healthService: boolean;
}

/** Looks a user up by name (or numeric id) for --run-as. */
function resolveUser(user: string): { user: string; uid: number; gid: number } {
  if (process.getuid?.() !== 0)
    throw new UserError('--run-as needs the worker to run as root (it switches its pool processes to that user)');
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(user))
    throw new UserError(`--run-as: bad user name ${JSON.stringify(user)}`);
  try {
    const uid = Number(
      execFileSync('id', ['-u', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
    const gid = Number(
      execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('not a number');
    return { user, uid, gid };
  } catch (err) {
    throw new UserError(`--run-as: no such user ${user}`, { cause: err });
  }
}

/** Applies defaults and validates; errors name the option's field. */
export function compileWorkerOptions(options: WorkerDaemonOptions): CompiledWorkerDaemonOptions {
  if (!options.master || !/^[^\s:]+:\d+$/.test(options.master))
    throw new UserError(`--master must be HOST:PORT, got ${JSON.stringify(options.master)}`);
  const host = options.host ?? '127.0.0.1';
  const t = WORKER_OPTION_TABLE;
  const port = checkOption('port', t.port, options.port);
  const bulkPort = checkOption('bulkPort', t.bulkPort, options.bulkPort);
  const httpPort = checkOptionalOption('httpPort', t.httpPort, options.httpPort);
  const slots = checkOption(
    'slots',
    t.slots,
    options.slots ?? Math.min(t.slots.max, Math.max(1, os.availableParallelism())),
  );
  if (!options.dataDir) throw new UserError('--data-dir is required');
  const advertise = options.advertise;
  if (advertise !== undefined && !/^[^\s/:]+$|^\[[0-9A-Fa-f:.]+\]$/.test(advertise)) {
    throw new UserError(`--advertise must be a host name or address without a port, got ${JSON.stringify(advertise)}`);
  }
  const heartbeatMs = checkOption('heartbeatMs', t.heartbeatMs, options.heartbeatMs);
  const taskTimeoutMs = checkOption('taskTimeoutMs', t.taskTimeoutMs, options.taskTimeoutMs);
  const taskMemoryMb = checkOption('taskMemoryMb', t.taskMemoryMb, options.taskMemoryMb);
  const drainTimeoutMs = checkOption('drainTimeoutMs', t.drainTimeoutMs, options.drainTimeoutMs);
  return {
    master: options.master,
    host,
    port,
    bulkPort,
    httpPort,
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
    healthService: options.healthService ?? true,
  };
}
