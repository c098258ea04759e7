import { UserError } from '../common/errors.js';

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
}

/** Master options with defaults applied and values checked. */
export interface CompiledMasterOptions {
  readonly host: string;
  readonly port: number;
  readonly httpPort: number | undefined;
  readonly dataDir: string;
  readonly heartbeatMs: number;
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`${name} must be an integer from 0 to 65535, got ${String(port)}`);
}

/** Applies defaults and validates; errors name the option. */
export function compileMasterOptions(options: MasterOptions): CompiledMasterOptions {
  const port = options.port ?? DEFAULT_MASTER_PORT;
  checkPort('--port', port);
  if (options.httpPort !== undefined) checkPort('--http-port', options.httpPort);
  if (!options.dataDir) throw new UserError('--data-dir is required');
  const heartbeatMs = options.heartbeatMs ?? 1000;
  if (!Number.isInteger(heartbeatMs) || heartbeatMs < 10) throw new UserError('heartbeatMs must be an integer of at least 10');
  return { host: options.host ?? '127.0.0.1', port, httpPort: options.httpPort, dataDir: options.dataDir, heartbeatMs };
}
