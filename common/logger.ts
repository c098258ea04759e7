import type * as Winston from 'winston';
import { envLogFormat, envLogLevel } from './environment.js';

/** Structured fields that go with a log line (job, task, worker ids, counts). */
export type LogFields = Readonly<Record<string, unknown>>;

/** The one logging interface of Groove; winston sits behind it. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger for a sub-component or with fields added to every line. */
  child(fields: LogFields): Logger;
}

/** Log levels, most to least severe. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** `GROOVE_LOG=debug` (or info, warn, error) overrides every default level. */
const ENV_LEVEL = envLogLevel();

/** How lines are written: for people, or one JSON object a line for log collectors (GROOVE_LOG_FORMAT). */
export type LogFormat = 'human' | 'json';

/** The formats GROOVE_LOG_FORMAT may name. */
export const LOG_FORMATS: readonly LogFormat[] = ['human', 'json'];

/** The format GROOVE_LOG_FORMAT asks for; anything else is human (the CLI refuses it first: {@link checkLogEnvironment}). */
export function logFormat(): LogFormat {
  return envLogFormat() === 'json' ? 'json' : 'human';
}

/** A one-line complaint about GROOVE_LOG_FORMAT or GROOVE_LOG set to a value they do not take, or undefined. */
export function checkLogEnvironment(): string | undefined {
  const format = envLogFormat();
  if (format !== undefined && format !== '' && !LOG_FORMATS.includes(format as LogFormat))
    return `GROOVE_LOG_FORMAT must be ${LOG_FORMATS.join(' or ')}, got ${JSON.stringify(format.slice(0, 40))}`;
  if (ENV_LEVEL !== undefined && ENV_LEVEL !== '' && !isLevel(ENV_LEVEL))
    return `GROOVE_LOG must be error, warn, info or debug, got ${JSON.stringify(ENV_LEVEL.slice(0, 40))}`;
  return undefined;
}

/** Severity rank of each level: a line is written when its rank is at most the level's. */
const RANK: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

let level: LogLevel = isLevel(ENV_LEVEL) ? ENV_LEVEL : 'warn';
let root: Winston.Logger | undefined;

/**
 * The winston logger behind every Groove logger, made on the first line written. Loading
 * winston takes 40-60 ms, which every `mr` command and pool process paid at start-up even
 * when, as in `mr run` (errors only) or a pool process, no line is ever logged.
 */
function rootLogger(): Winston.Logger {
  if (root) return root;
  const winston = require('winston') as typeof Winston;
  const human = winston.format.printf((info) => {
    const { level, message, timestamp, component, ...fields } = info;
    const rest = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
    return `${String(timestamp)} ${level} [${String(component ?? 'groove')}] ${String(message)}${rest}`;
  });
  root = winston.createLogger({
    // Lines are filtered by wrap() before they get here (job output has its own floor).
    level: 'debug',
    format: winston.format.combine(winston.format.timestamp(), logFormat() === 'json' ? winston.format.json() : human),
    // Logs go to stderr: stdout carries results and job ids that scripts read.
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
  return root;
}

function isLevel(value: string | undefined): value is LogLevel {
  return value === 'error' || value === 'warn' || value === 'info' || value === 'debug';
}

/** Whether GROOVE_LOG asks for debug logs (the CLI then prints stacks of the errors it reports). */
export function isDebugLogging(): boolean {
  return ENV_LEVEL === 'debug';
}

/** Sets the level of every logger, unless GROOVE_LOG chose one. */
export function setLogLevel(next: LogLevel): void {
  if (isLevel(ENV_LEVEL)) return;
  level = next;
}

/**
 * A logger adding `fields` to every line. Lines below the level are dropped before
 * winston sees them (winston builds and pipes a disabled line before dropping it, and
 * debug lines sit on per-task paths); the winston child is made on the first line kept.
 */
function wrap(fields: LogFields, floor: LogLevel = 'error'): Logger {
  let w: Winston.Logger | undefined;
  const write = (at: LogLevel, message: string, extra?: LogFields): void => {
    // A floor shows lines of its level even when the command chose a quieter one; GROOVE_LOG still decides.
    const shown = isLevel(ENV_LEVEL) ? RANK[ENV_LEVEL] : Math.max(RANK[level], RANK[floor]);
    if (RANK[at] > shown) return;
    w ??= rootLogger().child(fields);
    if (extra) w.log(at, message, extra);
    else w.log(at, message);
  };
  return {
    debug: (message, extra) => write('debug', message, extra),
    info: (message, extra) => write('info', message, extra),
    warn: (message, extra) => write('warn', message, extra),
    error: (message, extra) => write('error', message, extra),
    child: (more) => wrap({ ...fields, ...more }, floor),
  };
}

/**
 * A logger whose lines carry the component tag. `floor` is the least severe level it
 * writes whatever level the command set (not past `GROOVE_LOG`): job code's own output
 * uses `info`, so `ctx.log` and `console` lines of a job show under `mr run`, which keeps
 * Groove's own lines to errors.
 */
export function createLogger(component: string, floor: LogLevel = 'error'): Logger {
  return wrap({ component }, floor);
}
