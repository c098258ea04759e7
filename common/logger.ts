import * as winston from 'winston';

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
const ENV_LEVEL = process.env['GROOVE_LOG'];

const root = winston.createLogger({
  level: isLevel(ENV_LEVEL) ? ENV_LEVEL : 'warn',
  format: winston.format.combine(
    winston.format.timestamp(),
    winston.format.printf((info) => {
      const { level, message, timestamp, component, ...fields } = info;
      const rest = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
      return `${String(timestamp)} ${level} [${String(component ?? 'groove')}] ${String(message)}${rest}`;
    }),
  ),
  // Logs go to stderr: stdout carries results and job ids that scripts read.
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
});

function isLevel(value: string | undefined): value is LogLevel {
  return value === 'error' || value === 'warn' || value === 'info' || value === 'debug';
}

/** Sets the level of every logger, unless GROOVE_LOG chose one. */
export function setLogLevel(level: LogLevel): void {
  if (!isLevel(ENV_LEVEL)) root.level = level;
}

function wrap(w: winston.Logger): Logger {
  return {
    // Debug lines sit on per-task paths; winston builds and pipes a disabled line before
    // dropping it, so check the level first.
    debug: (message, fields) => {
      if (w.isLevelEnabled('debug')) w.debug(message, fields);
    },
    info: (message, fields) => w.info(message, fields),
    warn: (message, fields) => w.warn(message, fields),
    error: (message, fields) => w.error(message, fields),
    child: (fields) => wrap(w.child(fields)),
  };
}

/** A logger whose lines carry the component tag. */
export function createLogger(component: string): Logger {
  return wrap(root.child({ component }));
}
