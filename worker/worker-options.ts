import * as os from 'node:os';
import { UserError } from '../common/errors.js';

/** Options of a worker daemon (`mr worker`). */
export interface WorkerDaemonOptions {
  /** The master's host:port. Required. */
  readonly master: string;
  /** Address the data service binds to. Default 127.0.0.1: nothing is exposed unless asked. */
  readonly host?: string;
  /** Port of the data service; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Host name or address other workers and clients use to reach this one. Default: `host`, or the hostname when bound to all interfaces. */
  readonly advertise?: string;
  /** Pool processes (concurrent tasks). Default: the number of cores. */
  readonly slots?: number;
  /** Where packs, map outputs and part files live. Required. */
  readonly dataDir: string;
  /** Heartbeat interval, ms. Default 1000. */
  readonly heartbeatMs?: number;
}

/** Worker options with every default applied and every value checked. */
export interface CompiledWorkerDaemonOptions {
  readonly master: string;
  readonly host: string;
  readonly port: number;
  readonly advertise: string;
  readonly slots: number;
  readonly dataDir: string;
  readonly heartbeatMs: number;
}

/** Applies defaults and validates; errors name the option. */
export function compileWorkerOptions(options: WorkerDaemonOptions): CompiledWorkerDaemonOptions {
  if (!options.master || !/^[^\s:]+:\d+$/.test(options.master)) throw new UserError(`--master must be HOST:PORT, got ${JSON.stringify(options.master)}`);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port must be an integer from 0 to 65535, got ${String(port)}`);
  const slots = options.slots ?? Math.max(1, os.availableParallelism());
  if (!Number.isInteger(slots) || slots < 1 || slots > 1024) throw new UserError(`--slots must be an integer from 1 to 1024, got ${String(slots)}`);
  if (!options.dataDir) throw new UserError('--data-dir is required');
  const anyHost = host === '0.0.0.0' || host === '::';
  const advertise = options.advertise ?? (anyHost ? os.hostname() : host);
  const heartbeatMs = options.heartbeatMs ?? 1000;
  return { master: options.master, host, port, advertise, slots, dataDir: options.dataDir, heartbeatMs };
}
