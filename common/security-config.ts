import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Security } from './security.js';
import { UserError } from './errors.js';
import { envTokenFile } from './environment.js';
import type { Logger } from './logger.js';

/** Where the security material comes from: file paths, as given on the command line. */
export interface SecurityFiles {
  /** File holding the cluster token (default: env MR_TOKEN_FILE). */
  readonly tokenFile?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  /** Servers require client certificates when a CA is given (default true). */
  readonly tlsClientAuth?: boolean;
}

/** Tokens shorter than this are refused: they could be guessed. */
export const MIN_TOKEN_LENGTH = 16;

function readOption(option: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UserError(
      `${option} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      { cause: err },
    );
  }
}

/** Reads the token and TLS files; errors name the option and the file. */
export function loadSecurity(files: SecurityFiles, log?: Logger): Security {
  const tokenFile = files.tokenFile ?? envTokenFile();
  let token: string | undefined;
  if (tokenFile) {
    token = readOption('--token-file', tokenFile).toString('utf8').trim();
    if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token))
      throw new UserError(
        `--token-file ${tokenFile}: the token must be at least ${MIN_TOKEN_LENGTH} characters without spaces (make one with 'mr token')`,
      );
    const mode = fs.statSync(tokenFile).mode & 0o077;
    if (mode !== 0) log?.warn(`token file ${tokenFile} can be read by other users; chmod 600 it`);
  }
  if (Boolean(files.tlsCert) !== Boolean(files.tlsKey)) throw new UserError('--tls-cert and --tls-key go together');
  return {
    token,
    tlsCert: files.tlsCert ? readOption('--tls-cert', files.tlsCert) : undefined,
    tlsKey: files.tlsKey ? readOption('--tls-key', files.tlsKey) : undefined,
    tlsCa: files.tlsCa ? readOption('--tls-ca', files.tlsCa) : undefined,
    tlsClientAuth: files.tlsClientAuth,
  };
}

/** Writes a fresh random token (256 bits, hex) readable by its owner only; returns it. */
export function writeTokenFile(file: string): string {
  const token = randomBytes(32).toString('hex');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Create with 0600 from the start so the token is never readable by others, even briefly.
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, `${token}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return token;
}

/** A random token for a cluster that lives only inside one process tree (`mr run`). */
export function ephemeralToken(): string {
  return randomBytes(32).toString('hex');
}

/** True for addresses only this host can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Groove ships closed: a server may listen beyond loopback only with a cluster token, or
 * when the operator says --insecure, and then it warns on every start.
 */
export function checkBind(what: string, host: string, security: Security, insecure: boolean, log: Logger): void {
  if (isLoopback(host) || security.token) return;
  if (!insecure) {
    throw new UserError(
      `refusing to listen on ${host} without a cluster token: anyone who can reach the ${what} could run code on the cluster; create a token with 'mr token' and pass --token-file (or --insecure on a network you trust completely)`,
    );
  }
  log.warn(
    `INSECURE: the ${what} listens on ${host} without a cluster token; anyone who can reach it can run code on this cluster`,
  );
}
