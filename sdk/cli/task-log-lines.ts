import { errorMessage, JobFailedError, terminalSafe, UserError } from '../../common/index.js';
import type { GrooveClient, JobStatus, TaskLogLine } from '../client.js';

/** How many of the failed attempt's last log lines `mr run` and `mr submit --wait` show. */
export const FAILURE_TAIL_LINES = 20;

/**
 * How long a failed command waits for the failed attempt's log, ms: 10 s. The error is
 * what matters; its log is a help that must not keep the command from ending.
 */
const FAILURE_TAIL_TIMEOUT_MS = 10_000;

/**
 * A log line as `mr logs` prints it: `TIME TASK aATTEMPT LEVEL MESSAGE`, the message's
 * control characters escaped and each of its own lines prefixed the same way, so every
 * printed line names its task.
 */
export function taskLogText(line: TaskLogLine): string {
  const prefix = `${new Date(line.time).toISOString()} ${line.taskId} a${line.attempt} ${line.level}`;
  return line.message
    .split('\n')
    .map((part) => `${prefix} ${terminalSafe(part)}\n`)
    .join('');
}

/** A one-line note for logs that cannot be read (their worker is lost). */
export function unavailableText(line: TaskLogLine): string {
  return `mr: ${terminalSafe(line.unavailable)}\n`;
}

/**
 * An error whose one line is followed by more on stderr: a failed job's message, then the
 * last lines its failed attempt logged. The CLI prints `tail` right after the message.
 */
export class ErrorWithTail extends UserError {
  constructor(
    readonly error: UserError,
    readonly tail: string,
  ) {
    super(error.message, { cause: error });
  }
}

/**
 * The last {@link FAILURE_TAIL_LINES} lines the failed attempt of a failed job logged, as
 * text under a heading; '' when it logged none or they cannot be read in time (the error
 * itself has been said by then).
 */
async function failureTail(client: GrooveClient, status: JobStatus, hint: boolean): Promise<string> {
  const { failedTask, failedAttempt: attempt } = status;
  if (!failedTask) return '';
  // A staged job's task ids name their stage (docs/logs.md): the failed one is the stage's that ended the job.
  const task = status.stages > 0 ? `stage${status.stage}/${failedTask}` : failedTask;
  const lines: TaskLogLine[] = [];
  const signal = AbortSignal.timeout(FAILURE_TAIL_TIMEOUT_MS);
  try {
    for await (const line of client.taskLogs(status.jobId, { task, signal })) {
      if (line.unavailable || line.attempt !== attempt) continue;
      lines.push(line);
      if (lines.length > FAILURE_TAIL_LINES) lines.shift();
    }
  } catch (err) {
    if (!signal.aborted) return `mr: (the log of ${task} attempt ${attempt} cannot be read: ${errorMessage(err)})\n`;
  }
  if (lines.length === 0) return '';
  const all = hint ? ` (all of them: mr logs ${status.jobId} --task ${task})` : '';
  const heading = `mr: the last ${lines.length === 1 ? 'line' : `${lines.length} lines`} ${task} attempt ${attempt} logged${all}:\n`;
  return heading + lines.map(taskLogText).join('');
}

/**
 * Runs `wait` (a command's wait for its job); when the job failed, the error it throws
 * carries the failed attempt's last log lines, shown after its one line. `hint`: name the
 * `mr logs` command that shows them all (not for `mr run`, whose cluster is gone by then).
 */
export async function withFailureTail<T>(
  client: GrooveClient,
  jobId: string,
  wait: () => Promise<T>,
  hint = true,
): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    if (!(err instanceof JobFailedError)) throw err;
    const status = await client.status(jobId).catch(() => undefined);
    const tail = status ? await failureTail(client, status, hint) : '';
    throw tail ? new ErrorWithTail(err, tail) : err;
  }
}
