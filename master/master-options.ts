import { checkOption, checkOptionalOption, UserError } from '../common/index.js';
import type { OptionTable } from '../common/index.js';
import { NO_SECURITY } from '../proto/wire/index.js';
import type { Security } from '../proto/wire/index.js';

/** How long finished jobs are kept (since they ended) before they are purged, ms: 7 days (`--retention`). */
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** The shortest retention: a finished job's results stay readable for at least this long, ms. */
export const MIN_RETENTION_MS = 1000;

/** The master's default port, as in the CLI contract. */
export const DEFAULT_MASTER_PORT = 7070;

/**
 * The master's numeric options: defaults, bounds, units and CLI flags, written once. The
 * compiler checks against it, `mr master` builds its flags and help from it.
 */
export const MASTER_OPTION_TABLE = {
  port: {
    flag: 'port',
    unit: 'port',
    default: DEFAULT_MASTER_PORT,
    min: 0,
    max: 65535,
    describe: 'gRPC port (0: any free port)',
  },
  httpPort: {
    flag: 'http-port',
    unit: 'port',
    defaultText: 'none',
    min: 0,
    max: 65535,
    describe: 'web UI, JSON API and /metrics port, behind the token (0: any free port; none if not given)',
  },
  heartbeatMs: { unit: 'ms', default: 1000, min: 10, describe: 'how often workers send heartbeats' },
  workerTimeoutMs: {
    flag: 'worker-timeout',
    unit: 'ms',
    flagUnit: 'seconds',
    default: 5000,
    // Twice the default heartbeat: one late heartbeat must not lose a worker (the compiler checks twice the actual one).
    min: 2000,
    describe: 'time without a heartbeat after which a worker is lost (at least two heartbeats)',
  },
  maxAttempts: {
    flag: 'max-attempts',
    unit: 'count',
    default: 4,
    min: 1,
    describe: 'default failed attempts per task before a job fails',
  },
  blacklistAfter: {
    unit: 'count',
    default: 3,
    min: 1,
    describe: 'failed attempts of one job after which a worker gets no more of its tasks',
  },
  speculationFactor: {
    unit: 'factor',
    default: 2,
    min: 1,
    fractional: true,
    describe: "a running task is a straggler past this multiple of its finished peers' median time",
  },
  speculationMinMs: {
    flag: 'speculation-min-ms',
    unit: 'ms',
    default: 5000,
    min: 0,
    describe: 'a task runs at least this long before it may get a backup attempt',
  },
  retryBackoffMs: {
    flag: 'retry-backoff-ms',
    unit: 'ms',
    default: 200,
    min: 0,
    describe: 'first delay before retrying a failed attempt; it doubles, with jitter',
  },
  localityWaitMs: {
    flag: 'locality-wait',
    unit: 'ms',
    // Spark's spark.locality.wait: long enough for a busy holder to free a slot, short next to a job.
    default: 3000,
    min: 0,
    max: 600_000,
    describe: 'how long a map task waits for a slot on the worker holding its input (mr://) before running anywhere',
  },
  prefetch: {
    unit: 'count',
    default: 2,
    min: 1,
    max: 16,
    describe: 'tasks a worker may hold per slot (1: none queued; 2: one waits behind each running task)',
  },
} as const satisfies OptionTable<string>;

/** Options of a master (`mr master`); numeric ones have their default, unit and bounds in {@link MASTER_OPTION_TABLE}. */
export interface MasterOptions {
  /** Address to bind. Default 127.0.0.1: nothing is exposed unless asked. */
  readonly host?: string;
  /** gRPC port; 0 picks a free one. See {@link MASTER_OPTION_TABLE}.port. */
  readonly port?: number;
  /** Port of the HTTP status page; 0 picks a free one; undefined serves none. See {@link MASTER_OPTION_TABLE}.httpPort. */
  readonly httpPort?: number;
  /** Where job packs are kept. Required. */
  readonly dataDir: string;
  /** How often workers send heartbeats, ms. See {@link MASTER_OPTION_TABLE}.heartbeatMs. */
  readonly heartbeatMs?: number;
  /** A worker silent this long is declared lost, ms; at least twice heartbeatMs. See {@link MASTER_OPTION_TABLE}.workerTimeoutMs. */
  readonly workerTimeoutMs?: number;
  /** Failed attempts a task may have before its job fails. See {@link MASTER_OPTION_TABLE}.maxAttempts. */
  readonly maxAttempts?: number;
  /** Failed attempts of one job after which a worker gets no more of its tasks. See {@link MASTER_OPTION_TABLE}.blacklistAfter. */
  readonly blacklistAfter?: number;
  /** A running task is a straggler past this multiple of its finished peers' median time. See {@link MASTER_OPTION_TABLE}.speculationFactor. */
  readonly speculationFactor?: number;
  /** ...and past this many ms. See {@link MASTER_OPTION_TABLE}.speculationMinMs. */
  readonly speculationMinMs?: number;
  /** First retry delay after a failed attempt, ms; it doubles, with jitter. See {@link MASTER_OPTION_TABLE}.retryBackoffMs. */
  readonly retryBackoffMs?: number;
  /** Tasks a worker may hold per slot. See {@link MASTER_OPTION_TABLE}.prefetch. */
  readonly prefetch?: number;
  /** How long a map task waits for its input's holder before running anywhere, ms. See {@link MASTER_OPTION_TABLE}.localityWaitMs. */
  readonly localityWaitMs?: number;
  /**
   * Finished jobs (succeeded, failed, killed) are purged this long after they ended, ms, as
   * `mr purge` does; workers remove job directories no master knows once they are this old.
   * Default {@link DEFAULT_RETENTION_MS} (7 days); at least {@link MIN_RETENTION_MS}.
   */
  readonly retentionMs?: number;
  /** The clock of the retention sweep, ms since epoch. Default Date.now (a test moves it on). */
  readonly clock?: () => number;
  /** Cluster token and TLS material. Default: none. */
  readonly security?: Security;
  /** Allow listening beyond loopback without a token (warns on every start). Default false. */
  readonly insecure?: boolean;
  /**
   * Serve the standard gRPC health service (grpc.health.v1) on the gRPC port, answering
   * without a token. Default true; an embedded cluster (`mr run`) turns it off.
   */
  readonly healthService?: boolean;
  /**
   * Keep a journal (SQLite, `journal.db` in the data dir) of every job, so a restarted
   * master resumes them. Default true; an embedded cluster (`mr run`) turns it off: its
   * data dir is thrown away with the process, so nothing would ever read the journal, and
   * opening and writing it costs start-up time and CPU per task.
   */
  readonly journal?: boolean;
}

/** Master options with defaults applied and values checked. */
export interface CompiledMasterOptions {
  readonly host: string;
  readonly port: number;
  readonly httpPort: number | undefined;
  readonly dataDir: string;
  readonly heartbeatMs: number;
  readonly workerTimeoutMs: number;
  readonly maxAttempts: number;
  readonly blacklistAfter: number;
  readonly speculationFactor: number;
  readonly speculationMinMs: number;
  readonly retryBackoffMs: number;
  readonly prefetch: number;
  readonly localityWaitMs: number;
  readonly retentionMs: number;
  readonly clock: () => number;
  readonly security: Security;
  readonly insecure: boolean;
  readonly healthService: boolean;
  readonly journal: boolean;
}

/** Applies defaults and validates; errors name the option's field. */
export function compileMasterOptions(options: MasterOptions): CompiledMasterOptions {
  const t = MASTER_OPTION_TABLE;
  const port = checkOption('port', t.port, options.port);
  const httpPort = checkOptionalOption('httpPort', t.httpPort, options.httpPort);
  if (!options.dataDir) throw new UserError('--data-dir is required');
  const heartbeatMs = checkOption('heartbeatMs', t.heartbeatMs, options.heartbeatMs);
  return {
    host: options.host ?? '127.0.0.1',
    port,
    httpPort,
    dataDir: options.dataDir,
    heartbeatMs,
    workerTimeoutMs: checkOption('workerTimeoutMs', t.workerTimeoutMs, options.workerTimeoutMs, 2 * heartbeatMs),
    maxAttempts: checkOption('maxAttempts', t.maxAttempts, options.maxAttempts),
    blacklistAfter: checkOption('blacklistAfter', t.blacklistAfter, options.blacklistAfter),
    speculationFactor: checkOption('speculationFactor', t.speculationFactor, options.speculationFactor),
    speculationMinMs: checkOption('speculationMinMs', t.speculationMinMs, options.speculationMinMs),
    retryBackoffMs: checkOption('retryBackoffMs', t.retryBackoffMs, options.retryBackoffMs),
    prefetch: checkOption('prefetch', t.prefetch, options.prefetch),
    localityWaitMs: checkOption('localityWaitMs', t.localityWaitMs, options.localityWaitMs),
    retentionMs: checkRetention(options.retentionMs),
    clock: options.clock ?? Date.now,
    security: options.security ?? NO_SECURITY,
    insecure: options.insecure ?? false,
    healthService: options.healthService ?? true,
    journal: options.journal ?? true,
  };
}

function checkRetention(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_RETENTION_MS;
  if (!Number.isSafeInteger(ms) || ms < MIN_RETENTION_MS)
    throw new UserError(`retentionMs must be an integer of at least ${MIN_RETENTION_MS} (ms), got ${ms}`);
  return ms;
}
