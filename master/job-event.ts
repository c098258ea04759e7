/**
 * What happens to a job, as typed records: every event Job records (Job.record is the one
 * place they enter), what watchers are sent, and what a journal of the master would keep.
 * The text users see (`mr events`, `mr status --watch`, the SDK's watch) is made from a
 * record by renderJobEvent only, so it reads as it always did.
 */

/**
 * Where a task works: a map's byte range of an input file (the first of its split's
 * pieces, and how many more files were packed with it), or a reduce's partition.
 */
export type TaskPlace =
  | { readonly input: string; readonly start: number; readonly length: number; readonly more?: number }
  | { readonly partition: number };

/** What a successful attempt reported doing. */
export interface AttemptStats {
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Bytes read (a map's input, a reduce's shuffle) and written; absent in records made before they were kept. */
  readonly bytesIn?: number;
  readonly bytesOut?: number;
  readonly spills: number;
  readonly millis: number;
}

/** The job was planned and queued. */
export interface JobSubmitted {
  readonly kind: 'job-submitted';
  readonly maps: number;
  readonly files: number;
  readonly reduces: number;
}

/** An attempt of a task was sent to a worker. */
export interface TaskStarted {
  readonly kind: 'task-started';
  readonly taskId: string;
  readonly attempt: number;
  readonly workerId: string;
  /** A backup attempt for a straggler. */
  readonly speculative: boolean;
}

/** An attempt succeeded and was committed: its output is the task's. */
export interface TaskSucceeded {
  readonly kind: 'task-succeeded';
  readonly taskId: string;
  readonly attempt: number;
  readonly workerId: string;
  readonly speculative: boolean;
  readonly stats: AttemptStats;
}

/** An attempt failed; it counts against the job's attempt limit. */
export interface TaskFailed {
  readonly kind: 'task-failed';
  readonly taskId: string;
  readonly place: TaskPlace;
  readonly attempt: number;
  readonly workerId: string;
  /** The task's failed attempts so far, this one included. */
  readonly failures: number;
  readonly maxAttempts: number;
  readonly error: string;
}

/** A reduce attempt could not fetch some map outputs (not charged as a failure). */
export interface FetchFailed {
  readonly kind: 'fetch-failed';
  readonly taskId: string;
  readonly attempt: number;
  readonly workerId: string;
  readonly lostMapTasks: readonly string[];
  readonly error: string;
}

/** An attempt was running on a worker that was lost. */
export interface AttemptLost {
  readonly kind: 'attempt-lost';
  readonly taskId: string;
  readonly attempt: number;
  readonly workerId: string;
}

/** The master stopped an attempt (another one of its task finished first). */
export interface AttemptCancelled {
  readonly kind: 'attempt-cancelled';
  readonly taskId: string;
  readonly attempt: number;
  readonly workerId: string;
  readonly reason: string;
}

/** A committed output was on a worker that was lost: the task runs again. */
export interface OutputLost {
  readonly kind: 'output-lost';
  readonly taskId: string;
  readonly workerId: string;
}

/** A worker failed enough attempts of the job to get no more of its tasks. */
export interface WorkerBlacklisted {
  readonly kind: 'worker-blacklisted';
  readonly workerId: string;
  readonly failures: number;
}

/** Every task succeeded. */
export interface JobSucceeded {
  readonly kind: 'job-succeeded';
}

/** A task failed for good, or lost its output or its input too often. */
export interface JobFailed {
  readonly kind: 'job-failed';
  readonly error: string;
  readonly errorDetail: string;
}

/** The job was killed (by the user). */
export interface JobKilled {
  readonly kind: 'job-killed';
  readonly reason: string;
}

/** Something that happened to a job, before it is stamped with a time. */
export type JobEvent =
  | JobSubmitted
  | TaskStarted
  | TaskSucceeded
  | TaskFailed
  | FetchFailed
  | AttemptLost
  | AttemptCancelled
  | OutputLost
  | WorkerBlacklisted
  | JobSucceeded
  | JobFailed
  | JobKilled;

/** One line of a job's history, as Job keeps it. */
export type JobEventRecord = JobEvent & { readonly time: number };

/** The kinds of event that end a job. */
export type JobEndEvent = JobSucceeded | JobFailed | JobKilled;

/** The event a job's end makes: succeeded, failed with its error, or killed with its reason. */
export function endEvent(to: 'succeeded' | 'failed' | 'killed', error: string, errorDetail: string): JobEndEvent {
  if (to === 'succeeded') return { kind: 'job-succeeded' };
  return to === 'failed' ? { kind: 'job-failed', error, errorDetail } : { kind: 'job-killed', reason: error };
}

/** An event as it goes on the wire (groove.proto JobEvent, without the status). */
export interface RenderedJobEvent {
  readonly time: number;
  readonly type: string;
  readonly message: string;
}

/** `map-00003 (input /data/a.txt, bytes 0-1000)` or `reduce-00001 (partition 1)`. */
export function describePlace(taskId: string, place: TaskPlace): string {
  if (!('input' in place)) return `${taskId} (partition ${place.partition})`;
  const bytes = `bytes ${place.start}-${place.start + place.length}`;
  const more = place.more ? `, and ${place.more} more input${place.more === 1 ? '' : 's'}` : '';
  return `${taskId} (input ${place.input}, ${bytes}${more})`;
}

/** The wire type of an event: the job's end is one type, `state`, as it always was. */
export function eventType(e: JobEvent): string {
  switch (e.kind) {
    case 'job-submitted':
      return 'submitted';
    case 'job-succeeded':
    case 'job-failed':
    case 'job-killed':
      return 'state';
    default:
      return e.kind;
  }
}

/** The text of an event, as `mr events` prints it. */
export function eventMessage(e: JobEvent): string {
  switch (e.kind) {
    case 'job-submitted':
      return `${e.maps} map tasks over ${e.files} files, ${e.reduces} reduce tasks`;
    case 'task-started':
      return `${e.taskId} attempt ${e.attempt} on ${e.workerId}${e.speculative ? ' (backup for a straggler)' : ''}`;
    case 'task-succeeded': {
      const s = e.stats;
      const did = `${s.recordsIn} records in, ${s.recordsOut} out, ${s.spills} spills, ${Math.round(s.millis)} ms`;
      return `${e.taskId} attempt ${e.attempt}${e.speculative ? ' (backup)' : ''} on ${e.workerId} (${did})`;
    }
    case 'task-failed': {
      const where = describePlace(e.taskId, e.place);
      return `${where} attempt ${e.attempt} on ${e.workerId} failed (${e.failures} of ${e.maxAttempts}): ${e.error}`;
    }
    case 'fetch-failed':
      return `${e.taskId} on ${e.workerId} could not fetch ${e.lostMapTasks.join(', ')}: ${e.error}`;
    case 'attempt-lost':
      return `${e.taskId} attempt ${e.attempt} lost with worker ${e.workerId}`;
    case 'attempt-cancelled':
      return `${e.taskId} attempt ${e.attempt} on ${e.workerId}: ${e.reason}`;
    case 'output-lost':
      return `${e.taskId}: its output was on worker ${e.workerId}; running it again`;
    case 'worker-blacklisted':
      return `worker ${e.workerId} gets no more tasks of this job after ${e.failures} failed attempts`;
    case 'job-succeeded':
      return 'succeeded';
    case 'job-failed':
      return e.error ? `failed: ${e.error}` : 'failed';
    case 'job-killed':
      return e.reason ? `killed: ${e.reason}` : 'killed';
  }
}

/** An event as watchers get it: its time, wire type and text. */
export function renderJobEvent(e: JobEventRecord): RenderedJobEvent {
  return { time: e.time, type: eventType(e), message: eventMessage(e) };
}
