/**
 * Every environment variable Groove reads, read here and nowhere else (grpc-js's
 * environment.ts does the same): the list below is the whole of what the environment can
 * change. Values are read when asked for, not when this module loads, so a test or the CLI
 * that sets one first is seen; the logger asks once, at its own load. Passing an
 * environment on to a child process (the pool, `mr` in tests) is not reading it.
 */

/** One variable: its name, what it means, and what applies when it is unset. */
export interface EnvironmentVariable {
  readonly name: string;
  readonly meaning: string;
  readonly unset: string;
}

/** The environment variables Groove reads, documented once (README.md lists the same). */
export const ENVIRONMENT_VARIABLES = {
  master: {
    name: 'MR_MASTER',
    meaning: 'the master (HOST:PORT) of every cluster command and of a GrooveClient given no master',
    unset: '127.0.0.1:7070',
  },
  tokenFile: {
    name: 'MR_TOKEN_FILE',
    meaning: 'the cluster token file when --token-file (or SecurityFiles.tokenFile) is not given; empty: no token',
    unset: 'the CLI reads ~/.groove/token if it exists; the SDK uses no token',
  },
  logLevel: {
    name: 'GROOVE_LOG',
    meaning:
      'the log level of every logger (error, warn, info or debug), over what the command chose; debug also prints stacks',
    unset: "each command's own level (warn unless it sets one)",
  },
  logFormat: {
    name: 'GROOVE_LOG_FORMAT',
    meaning:
      'how log lines are written to stderr: human (TIME LEVEL [COMPONENT] MESSAGE {fields}) or json (one JSON object a line: timestamp, level, component, message and the job, task, attempt and worker ids)',
    unset: 'human',
  },
  s3ForcePathStyle: {
    name: 'AWS_S3_FORCE_PATH_STYLE',
    meaning:
      'true (or 1) addresses s3:// buckets path style (ENDPOINT/BUCKET/KEY), as MinIO, Ceph, Swift and most ' +
      'stores on a private endpoint need; false (or 0) virtual-hosted style (BUCKET.ENDPOINT/KEY). The AWS SDK ' +
      'itself reads the other AWS_* variables (credentials, region, endpoint, profile)',
    unset: 'virtual-hosted style, as on AWS',
  },
} as const satisfies Readonly<Record<string, EnvironmentVariable>>;

function read(variable: EnvironmentVariable): string | undefined {
  return process.env[variable.name];
}

/** MR_MASTER, or undefined when unset. */
export function envMaster(): string | undefined {
  return read(ENVIRONMENT_VARIABLES.master);
}

/** MR_TOKEN_FILE as set: undefined when unset, '' for "no token". */
export function envTokenFile(): string | undefined {
  return read(ENVIRONMENT_VARIABLES.tokenFile);
}

/** GROOVE_LOG as set (the logger checks it is a level), or undefined. */
export function envLogLevel(): string | undefined {
  return read(ENVIRONMENT_VARIABLES.logLevel);
}

/** GROOVE_LOG_FORMAT as set (the CLI checks it is json or human), or undefined. */
export function envLogFormat(): string | undefined {
  return read(ENVIRONMENT_VARIABLES.logFormat);
}

/** AWS_S3_FORCE_PATH_STYLE as set (the s3 backend checks its value), or undefined. */
export function envS3ForcePathStyle(): string | undefined {
  return read(ENVIRONMENT_VARIABLES.s3ForcePathStyle);
}
