import { intOption, UserError } from '../common/index.js';
import { NO_SECURITY } from '../proto/wire/index.js';
import type { Security } from '../proto/wire/index.js';

/** The master's default port, as in the CLI contract. */
export const DEFAULT_MASTER_PORT = 7070;

/** Options of a master (`mr master`). */
export interface MasterOptions {
  /** Address to bind. Default 127.0.0.1: nothing is exposed unless asked. */
  readonly host?: string;
  /** gRPC port; 0 picks a free one. Default 7070. */
  readonly port?: number;
  /** Port of the HTTP status page; 0 picks a free one; undefined serves none. */
  readonly httpPort?: number;
  /** Where job packs are kept. Required. */
  readonly dataDir: string;
  /** How often workers send heartbeats, ms. Default 1000. */
  readonly heartbeatMs?: number;
  /** A worker silent this long is declared lost, ms. Default 5000. */
  readonly workerTimeoutMs?: number;
  /** Failed attempts a task may have before its job fails. Default 4. */
  readonly maxAttempts?: number;
  /** Failed attempts of one job after which a worker gets no more of its tasks. Default 3. */
  readonly blacklistAfter?: number;
  /** A running task is a straggler past this multiple of its finished peers' median time. Default 2. */
  readonly speculationFactor?: number;
  /** ...and past this many ms. Default 5000. */
  readonly speculationMinMs?: number;
  /** First retry delay after a failed attempt, ms; it doubles, with jitter. Default 200. */
  readonly retryBackoffMs?: number;
  /** Tasks a worker may hold per slot (1: none queued; 2: one waits behind each running task). Default 2. */
  readonly prefetch?: number;
  /** Cluster token and TLS material. Default: none. */
  readonly security?: Security;
  /** Allow listening beyond loopback without a token (warns on every start). Default false. */
  readonly insecure?: boolean;
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
  readonly security: Security;
  readonly insecure: boolean;
}

function checkPort(name: string, port: number): void {
  intOption(name, port, 0, 0, 65535);
}

/** Applies defaults and validates; errors name the option. */
export function compileMasterOptions(options: MasterOptions): CompiledMasterOptions {
  const port = options.port ?? DEFAULT_MASTER_PORT;
  checkPort('--port', port);
  if (options.httpPort !== undefined) checkPort('--http-port', options.httpPort);
  if (!options.dataDir) throw new UserError('--data-dir is required');
  const int = intOption;
  const heartbeatMs = int('heartbeatMs', options.heartbeatMs, 1000, 10);
  const workerTimeoutMs = int('--worker-timeout-ms', options.workerTimeoutMs, 5000, 2 * heartbeatMs);
  const maxAttempts = int('--max-attempts', options.maxAttempts, 4, 1);
  const blacklistAfter = int('--blacklist-after', options.blacklistAfter, 3, 1);
  const speculationMinMs = int('--speculation-min-ms', options.speculationMinMs, 5000, 0);
  const retryBackoffMs = int('--retry-backoff-ms', options.retryBackoffMs, 200, 0);
  const speculationFactor = options.speculationFactor ?? 2;
  if (!(speculationFactor >= 1)) throw new UserError(`speculationFactor must be at least 1, got ${String(speculationFactor)}`);
  return {
    host: options.host ?? '127.0.0.1',
    port,
    httpPort: options.httpPort,
    dataDir: options.dataDir,
    heartbeatMs,
    workerTimeoutMs,
    maxAttempts,
    blacklistAfter,
    speculationFactor,
    speculationMinMs,
    retryBackoffMs,
    prefetch: int('prefetch', options.prefetch, 2, 1, 16),
    security: options.security ?? NO_SECURITY,
    insecure: options.insecure ?? false,
  };
}
