import * as fs from 'node:fs';
import * as path from 'node:path';
import yargs from 'yargs';
import type { Argv } from 'yargs';
import {
  checkLogEnvironment,
  durationText,
  ENVIRONMENT_VARIABLES,
  envMaster,
  errorMessage,
  filterProcessWarnings,
  isDebugLogging,
  UserError,
} from '../../common/index.js';
import { isUsageError, USAGE_EXIT_CODE, UsageError } from './usage-error.js';
import { DEFAULT_MASTER } from '../client.js';
import * as cmd from './commands.js';
import { exitAfterCleanup } from './exit-cleanup.js';
import { tableFlag } from './table-flag.js';
import { reconnectTimeoutOption } from './reconnect-flag.js';
import { jsonOption } from './json-output.js';
import { ErrorWithTail } from './task-log-lines.js';
import { DEFAULT_RETENTION_MS, MASTER_OPTION_TABLE, SUBMIT_OPTION_TABLE } from '../../master/index.js';
import { WORKER_OPTION_TABLE } from '../../worker/index.js';

const masterOption = {
  describe: 'the master, HOST:PORT (env MR_MASTER)',
  type: 'string',
  default: envMaster() ?? DEFAULT_MASTER,
  defaultDescription: '$MR_MASTER or 127.0.0.1:7070',
} as const;

function jobOptions<T>(y: Argv<T>) {
  return y
    .positional('JOB_FILE', { describe: 'the job file (TypeScript or JavaScript)', type: 'string', demandOption: true })
    .option('input', {
      alias: 'i',
      describe: 'input files, directories or globs',
      type: 'string',
      array: true,
      demandOption: true,
    })
    .option('partitions', { alias: 'p', ...tableFlag(SUBMIT_OPTION_TABLE.partitions) })
    .option('param', { describe: 'KEY=VALUE for ctx.params (repeatable)', type: 'string', array: true })
    .option('chunk-size', tableFlag(SUBMIT_OPTION_TABLE.chunkSize))
    .option('sort-buffer-mb', tableFlag(SUBMIT_OPTION_TABLE.sortBufferBytes))
    .option('max-attempts', tableFlag(SUBMIT_OPTION_TABLE.maxAttempts))
    .option('speculation', {
      describe: 'backup attempts for straggling tasks (--no-speculation turns them off)',
      type: 'boolean',
      default: true,
    })
    .option('allow-empty', {
      describe: 'accept a directory or glob that holds no file (refused by default)',
      type: 'boolean',
      default: false,
    })
    .option('pack-inputs', {
      describe: 'pack small files whole into splits of up to --chunk-size (--no-pack-inputs: a task per file)',
      type: 'boolean',
      default: true,
    });
}

/** The parsed arguments of {@link jobOptions}. */
type JobArgv = Awaited<ReturnType<typeof jobOptions<object>>['argv']>;

/** What `mr run` and `mr submit` both pass on from {@link jobOptions}. */
function jobArgs(a: JobArgv) {
  return {
    job: a.JOB_FILE,
    input: a.input,
    partitions: a.partitions,
    param: a.param,
    chunkSize: a.chunkSize,
    sortBufferMb: a.sortBufferMb,
    maxAttempts: a.maxAttempts,
    speculation: a.speculation,
    allowEmpty: a.allowEmpty,
    packInputs: a.packInputs,
  };
}

/** --token-file and the TLS options, on every command that talks to or runs a cluster. */
function securityOptions<T>(y: Argv<T>) {
  return y
    .option('token-file', {
      describe: 'the cluster token (make one with mr token; MR_TOKEN_FILE= for none)',
      type: 'string',
      default: cmd.defaultTokenFile(),
      defaultDescription: '$MR_TOKEN_FILE, else ~/.groove/token if it exists',
    })
    .option('tls-cert', { describe: 'PEM certificate this process presents', type: 'string' })
    .option('tls-key', { describe: 'PEM private key of --tls-cert', type: 'string' })
    .option('tls-ca', {
      describe: "PEM CA that peers' certificates must be signed by (servers then require client certificates)",
      type: 'string',
    })
    .option('tls-client-auth', {
      describe: 'with --tls-ca, servers require client certificates (--no-tls-client-auth: server authentication only)',
      type: 'boolean',
    });
}

function securityArgs(a: {
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsClientAuth?: boolean;
}) {
  return {
    tokenFile: a.tokenFile,
    tlsCert: a.tlsCert,
    tlsKey: a.tlsKey,
    tlsCa: a.tlsCa,
    tlsClientAuth: a.tlsClientAuth,
  };
}

const insecureOption = {
  describe: 'allow listening beyond loopback without a token (anyone who can connect can run code)',
  type: 'boolean',
  default: false,
} as const;

const outputOption = {
  alias: 'o',
  describe: 'write DIR/part-NNNNN files and DIR/_SUCCESS instead of printing',
  type: 'string',
} as const;
const jobOutputOption = {
  alias: 'o',
  describe:
    'write the results to URL (s3://BUCKET/PREFIX/, file:///abs/dir/: PREFIX/part-NNNNN, _SUCCESS last, committed by the master) or, for mr run, to a local DIR',
  type: 'string',
} as const;
const overwriteOption = {
  describe: 'with --output, replace the results already in DIR or under URL (refused otherwise)',
  type: 'boolean',
  default: false,
} as const;

const caOption = {
  describe: 'PEM CA certificates trusted for https:// inputs, besides the default roots',
  type: 'string',
  requiresArg: true,
} as const;

const formatOption = { describe: 'result format', choices: ['text', 'jsonl'] as const, default: 'text' as const };

function jobArg<T>(y: Argv<T>) {
  return securityOptions(
    y
      .positional('JOB_ID', {
        describe: 'the job id (mr submit prints it; mr jobs lists them)',
        type: 'string',
        demandOption: true,
      })
      .option('master', masterOption),
  );
}

/** This installation's version, from its package.json (dist/sdk/cli/ is three levels down). */
function packageVersion(): string {
  try {
    return (
      (
        JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
          version?: string;
        }
      ).version ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

/** `mr run` and `mr submit`: a job file and its inputs. */
function jobCommands<T>(y: Argv<T>) {
  return y
    .command(
      'run <JOB_FILE>',
      'run a job on an embedded cluster on this machine and print its results',
      (y) =>
        jobOptions(y)
          .option('slots', tableFlag(WORKER_OPTION_TABLE.slots))
          .option('ca', caOption)
          .option('output', jobOutputOption)
          .option('overwrite', overwriteOption)
          .option('format', formatOption),
      (a) =>
        cmd.runCommand({
          ...jobArgs(a),
          slots: a.slots,
          ca: a.ca,
          output: a.output,
          overwrite: a.overwrite,
          format: a.format,
        }),
    )
    .command(
      'submit <JOB_FILE>',
      'submit a job to a cluster; prints its id',
      (y) =>
        securityOptions(jobOptions(y))
          .option('master', masterOption)
          .option('wait', {
            describe: 'wait for the job; exit 0 only if it succeeded',
            type: 'boolean',
            default: false,
          })
          .option('reconnect-timeout', {
            ...reconnectTimeoutOption,
            describe: `with --wait, ${reconnectTimeoutOption.describe}`,
          })
          .option('output', { ...jobOutputOption, describe: 'commit the results to a storage URL (see mr run)' })
          .option('overwrite', overwriteOption)
          .option('format', { ...formatOption, describe: 'with --output, the stored result format' }),
      (a) =>
        cmd.submitCommand({
          ...securityArgs(a),
          ...jobArgs(a),
          master: a.master,
          wait: a.wait,
          reconnectTimeout: a.reconnectTimeout,
          output: a.output,
          overwrite: a.overwrite,
          format: a.format,
        }),
    );
}

const retentionOption = {
  describe:
    'purge finished jobs this long after they ended (e.g. 7d, 12h, 30m, 90s; at least 1s); workers remove job directories no master knows once this old',
  type: 'string',
  default: durationText(DEFAULT_RETENTION_MS),
  requiresArg: true,
} as const;

/** `mr master` and `mr worker`: the daemons of a cluster. */
function clusterCommands<T>(y: Argv<T>) {
  return workerCommandOf(masterCommandOf(y));
}

/** `mr master`. */
function masterCommandOf<T>(y: Argv<T>) {
  return y.command(
    'master',
    'start a master',
    (y) =>
      securityOptions(y)
        .option('insecure', insecureOption)
        .option('ca', caOption)
        .option('host', { describe: 'address to bind', type: 'string', default: '127.0.0.1' })
        .option('port', tableFlag(MASTER_OPTION_TABLE.port))
        .option('http-port', tableFlag(MASTER_OPTION_TABLE.httpPort))
        .option('data-dir', { describe: 'where job packs are kept (default ~/.groove/master)', type: 'string' })
        .option('worker-timeout', tableFlag(MASTER_OPTION_TABLE.workerTimeoutMs))
        .option('max-attempts', tableFlag(MASTER_OPTION_TABLE.maxAttempts))
        .option('speculation-min-ms', tableFlag(MASTER_OPTION_TABLE.speculationMinMs))
        .option('retry-backoff-ms', tableFlag(MASTER_OPTION_TABLE.retryBackoffMs))
        .option('locality-wait', tableFlag(MASTER_OPTION_TABLE.localityWaitMs))
        .option('retention', retentionOption)
        .epilogue(environmentHelp()),
    (a) =>
      cmd.masterCommand({
        ...securityArgs(a),
        insecure: a.insecure,
        ca: a.ca,
        host: a.host,
        port: a.port,
        httpPort: a.httpPort,
        dataDir: a.dataDir,
        workerTimeout: a.workerTimeout,
        maxAttempts: a.maxAttempts,
        speculationMinMs: a.speculationMinMs,
        retryBackoffMs: a.retryBackoffMs,
        localityWait: a.localityWait,
        retention: a.retention,
      }),
  );
}

/** `mr worker`. */
function workerCommandOf<T>(y: Argv<T>) {
  return y.command(
    'worker',
    'start a worker daemon',
    (y) =>
      securityOptions(y)
        .option('insecure', insecureOption)
        .option('ca', caOption)
        .option('master', masterOption)
        .option('host', { describe: 'address the shuffle service binds', type: 'string', default: '127.0.0.1' })
        .option('port', tableFlag(WORKER_OPTION_TABLE.port))
        .option('bulk-port', tableFlag(WORKER_OPTION_TABLE.bulkPort))
        .option('http-port', tableFlag(WORKER_OPTION_TABLE.httpPort))
        .option('advertise', {
          describe:
            'host name or address others reach this worker at (default: --host; for 0.0.0.0 or ::, the host name, or the first non-loopback IPv4 address when the name resolves to loopback)',
          type: 'string',
        })
        .option('slots', tableFlag(WORKER_OPTION_TABLE.slots))
        .option('data-dir', { describe: 'where task outputs are kept (default ~/.groove/worker)', type: 'string' })
        .option('task-timeout', tableFlag(WORKER_OPTION_TABLE.taskTimeoutMs))
        .option('task-memory-mb', tableFlag(WORKER_OPTION_TABLE.taskMemoryMb))
        .option('drain-timeout', tableFlag(WORKER_OPTION_TABLE.drainTimeoutMs))
        .option('run-as', {
          describe: 'run pool processes (job code) as this user; the worker must run as root',
          type: 'string',
        })
        .epilogue(environmentHelp()),
    (a) =>
      cmd.workerCommand({
        ...securityArgs(a),
        insecure: a.insecure,
        ca: a.ca,
        runAs: a.runAs,
        master: a.master,
        host: a.host,
        port: a.port,
        bulkPort: a.bulkPort,
        httpPort: a.httpPort,
        advertise: a.advertise,
        slots: a.slots,
        dataDir: a.dataDir,
        taskTimeout: a.taskTimeout,
        taskMemoryMb: a.taskMemoryMb,
        drainTimeout: a.drainTimeout,
      }),
  );
}

/** `mr logs`. */
function logsCommandOf<T>(y: Argv<T>) {
  return y.command(
    'logs <JOB_ID>',
    'show what job code logged (ctx.log, console), a line each with its task and attempt',
    (y) =>
      jobArg(y)
        .option('task', { describe: "only this task's attempts (e.g. map-00003)", type: 'string', requiresArg: true })
        .option('follow', {
          alias: 'f',
          describe: 'go on with new lines until the job ends',
          type: 'boolean',
          default: false,
        })
        .option('json', { ...jsonOption, describe: 'print each line as JSON (a TaskLogLine)' }),
    (a) =>
      cmd.logsCommand({
        ...securityArgs(a),
        master: a.master,
        job: a.JOB_ID,
        task: a.task,
        follow: a.follow,
        json: a.json,
      }),
  );
}

/** The commands about one submitted job, the lists, and `mr token`. */
function queryCommands<T>(y: Argv<T>) {
  return y
    .command(
      'wait <JOB_ID>',
      'wait for a job; exit 0 only if it succeeded',
      (y) => jobArg(y).option('reconnect-timeout', reconnectTimeoutOption),
      (a) => cmd.waitCommand({ ...a, job: a.JOB_ID }),
    )
    .command(
      'status <JOB_ID>',
      "show a job's state, progress and counters",
      (y) => jobArg(y).option('json', jsonOption),
      (a) => cmd.statusCommand({ ...a, job: a.JOB_ID }),
    )
    .command(
      'events <JOB_ID>',
      "show a job's events, following until it ends",
      (y) =>
        jobArg(y)
          .option('reconnect-timeout', reconnectTimeoutOption)
          .option('json', { ...jsonOption, describe: 'print each event as a JSON line (a JobEvent)' }),
      (a) => cmd.eventsCommand({ ...a, job: a.JOB_ID }),
    )
    .command(
      'results <JOB_ID>',
      "print a job's results",
      (y) =>
        jobArg(y)
          .option('format', formatOption)
          .option('output', outputOption)
          .option('overwrite', overwriteOption)
          .option('locations', {
            describe: "print where the results are (each partition's worker and file, the output store) instead",
            type: 'boolean',
            default: false,
          })
          .option('json', { ...jsonOption, describe: 'with --locations, print them as JSON (ResultLocations)' }),
      (a) =>
        cmd.resultsCommand({
          ...securityArgs(a),
          master: a.master,
          job: a.JOB_ID,
          format: a.format,
          output: a.output,
          overwrite: a.overwrite,
          locations: a.locations,
          json: a.json,
        }),
    )
    .command('kill <JOB_ID>', 'stop a running job', jobArg, (a) => cmd.killCommand({ ...a, job: a.JOB_ID }))
    .command('purge <JOB_ID>', 'forget a job and delete its files on the workers', jobArg, (a) =>
      cmd.purgeCommand({ ...a, job: a.JOB_ID }),
    )
    .command(
      'jobs',
      'list jobs',
      (y) => securityOptions(y.option('master', masterOption).option('json', jsonOption)),
      (a) => cmd.jobsCommand(a),
    )
    .command(
      'workers',
      'list workers',
      (y) => securityOptions(y.option('master', masterOption).option('json', jsonOption)),
      (a) => cmd.workersCommand(a),
    )
    .command(
      'token [FILE]',
      'write a fresh random cluster token (mode 0600)',
      (y) =>
        y
          .positional('FILE', {
            describe: 'where (default ~/.groove/token, which every mr command reads when no token file is given)',
            type: 'string',
          })
          .option('force', { describe: 'replace an existing file', type: 'boolean', default: false }),
      (a) => cmd.tokenCommand({ file: a.FILE, force: a.force }),
    );
}

/**
 * The environment variables, for the end of `mr --help`, `mr master --help` and `mr
 * worker --help`: from the one table common/environment.ts reads them by.
 */
function environmentHelp(): string {
  const lines = Object.values(ENVIRONMENT_VARIABLES).map((v) => `  ${v.name}: ${v.meaning} (unset: ${v.unset})`);
  return `Environment:\n${lines.join('\n')}`;
}

/** Builds the `mr` command line. */
function cli(argv: readonly string[]) {
  const y = yargs([...argv])
    .scriptName('mr')
    .usage('$0 <command> [options]\n\nGroove: MapReduce for TypeScript.');
  return logsCommandOf(queryCommands(clusterCommands(jobCommands(y))))
    .demandCommand(1, 'give a command; see mr --help')
    .strict()
    .help()
    .version('version', 'Show the version', `groove-mr ${packageVersion()}`)
    .epilogue(environmentHelp())
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, err) => {
      // yargs reports some command-line mistakes (a flag without its value) as a YError: usage errors too.
      if (err && err.name !== 'YError') throw err;
      throw new UsageError(message || err?.message || 'bad command line', { cause: err });
    });
}

/** Runs the `mr` CLI; exits non-zero with a one-line error on failure. */
export async function main(argv: readonly string[]): Promise<void> {
  filterProcessWarnings();
  const badEnvironment = checkLogEnvironment();
  if (badEnvironment) {
    process.stderr.write(`mr: ${badEnvironment}\n`);
    process.exitCode = USAGE_EXIT_CODE;
    return;
  }
  // A reader that stops early (`mr run ... | head`) closes the pipe: that ends the output,
  // as it ends `cat`'s, and is not an error worth a stack trace (`mr run` still cleans up).
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return exitAfterCleanup(0);
    throw err;
  });
  try {
    await cli(argv).parseAsync();
  } catch (err) {
    if (isDebugLogging() && err instanceof Error) process.stderr.write(`${err.stack ?? ''}\n`);
    const prefix = err instanceof UserError ? '' : 'internal error: ';
    process.stderr.write(`mr: ${prefix}${errorMessage(err)}\n`);
    // After the one line, what helps explain it (a failed attempt's last log lines).
    if (err instanceof ErrorWithTail) process.stderr.write(err.tail);
    process.exitCode = isUsageError(err) ? USAGE_EXIT_CODE : 1;
  }
}
