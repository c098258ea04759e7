import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../common/index.js';
import { isValidId } from '../proto/formats/index.js';
import { JOBS_DIR, LOGS_DIR, taskLogFile } from './data-layout.js';

/**
 * How much of what one task attempt logs is kept, bytes of its log file: 1 MiB. Enough
 * for the lines a user debugs with; a job that logs every record would otherwise fill
 * the worker's disk. Past it one marker line says so and the rest is dropped.
 */
export const TASK_LOG_CAP_BYTES = 1024 * 1024;

/** Room kept below the cap for the truncation marker, so the file never passes the cap. */
const MARKER_ROOM = 200;

/** The levels job code logs at: `ctx.log.info`, `console.log` (info); `ctx.log.warn`, `console.error` (warn). */
export type TaskLogLevel = 'info' | 'warn';

/** One stored line of a task attempt's log, with where it is. */
export interface StoredLogLine {
  readonly taskId: string;
  readonly attempt: number;
  /** ms since epoch. */
  readonly time: number;
  readonly level: TaskLogLevel;
  readonly message: string;
  /** The byte offset just past this line in its file: where a reader resumes. */
  readonly endOffset: number;
}

/** An attempt's log file while the attempt runs. */
interface OpenLog {
  readonly fd: number;
  bytes: number;
  truncated: boolean;
}

/** The name of an attempt's log inside `logs/` and in resume offsets: `<task>-a<attempt>`. */
export function attemptLogName(taskId: string, attempt: number): string {
  return `${taskId}-a${attempt}`;
}

/** `map-00001-a2.jsonl` -> task and attempt; undefined for any other name. */
function parseLogName(file: string): { taskId: string; attempt: number } | undefined {
  const m = /^(.+)-a(\d+)\.jsonl$/.exec(file);
  if (!m || !isValidId(m[1])) return undefined;
  return { taskId: m[1], attempt: Number(m[2]) };
}

/**
 * The worker's task logs: every line job code logs in a task attempt (sent up by its pool
 * process) is appended to `jobs/<job>/logs/<task>-a<attempt>.jsonl` as one JSON line
 * `{time, level, message}`, capped at {@link TASK_LOG_CAP_BYTES}. The daemon is the one
 * writer; writes are synchronous (into the page cache), so a reader that subscribes and
 * then reads the file in the same turn misses no line and sees none twice.
 */
export class TaskLogStore {
  private readonly open = new Map<string, OpenLog>();
  private readonly listeners = new Map<string, Set<(line: StoredLogLine) => void>>();
  private warned = false;

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {}

  /** Appends a line to an attempt's log (opened on its first line) and hands it to the job's followers. */
  append(jobId: string, taskId: string, attempt: number, level: TaskLogLevel, message: string): void {
    if (!isValidId(jobId) || !isValidId(taskId)) return;
    const key = `${jobId}/${attemptLogName(taskId, attempt)}`;
    const file = this.open.get(key) ?? this.openLog(key, jobId, taskId, attempt);
    if (!file || file.truncated) return;
    const time = Date.now();
    let text = `${JSON.stringify({ time, level, message })}\n`;
    let line: StoredLogLine = { taskId, attempt, time, level, message, endOffset: 0 };
    if (file.bytes + Buffer.byteLength(text) > TASK_LOG_CAP_BYTES - MARKER_ROOM) {
      const marker = `[log truncated: this attempt logged more than ${TASK_LOG_CAP_BYTES / 1024 / 1024} MiB; the rest was dropped]`;
      text = `${JSON.stringify({ time, level: 'warn', message: marker })}\n`;
      line = { ...line, level: 'warn', message: marker };
      file.truncated = true;
    }
    try {
      file.bytes += fs.writeSync(file.fd, text);
    } catch (err) {
      this.warnOnce('cannot write a task log', { job: jobId, task: taskId, error: (err as Error).message });
      return;
    }
    const listeners = this.listeners.get(jobId);
    if (listeners) for (const l of listeners) l({ ...line, endOffset: file.bytes });
  }

  /** The attempt ended: its log file is closed (a late line would open it again, appending). */
  end(jobId: string, taskId: string, attempt: number): void {
    const key = `${jobId}/${attemptLogName(taskId, attempt)}`;
    const file = this.open.get(key);
    if (!file) return;
    this.open.delete(key);
    fs.close(file.fd, () => undefined);
  }

  /**
   * The lines of a job's attempt logs held here (of one task when `taskId` is given), each
   * file from its offset in `from` (by {@link attemptLogName}), files in name order.
   */
  read(jobId: string, taskId: string | undefined, from: Readonly<Record<string, number>> = {}): StoredLogLine[] {
    const dir = path.join(this.dataDir, JOBS_DIR, jobId, LOGS_DIR);
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      return [];
    }
    const lines: StoredLogLine[] = [];
    for (const name of names) {
      const of = parseLogName(name);
      if (!of || (taskId !== undefined && of.taskId !== taskId)) continue;
      const start = Math.max(0, Math.floor(from[attemptLogName(of.taskId, of.attempt)] ?? 0));
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(path.join(dir, name));
      } catch {
        continue; // removed meanwhile (a purge)
      }
      parseLines(bytes, start, of.taskId, of.attempt, lines);
    }
    return lines;
  }

  /** Calls `listener` with every line of the job appended from now on; returns the unsubscribe. */
  subscribe(jobId: string, listener: (line: StoredLogLine) => void): () => void {
    let set = this.listeners.get(jobId);
    if (!set) this.listeners.set(jobId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(jobId) === set) this.listeners.delete(jobId);
    };
  }

  /** Closes every open log (the daemon stops). */
  close(): void {
    for (const file of this.open.values()) fs.close(file.fd, () => undefined);
    this.open.clear();
  }

  private openLog(key: string, jobId: string, taskId: string, attempt: number): OpenLog | undefined {
    const file = path.join(this.dataDir, taskLogFile(jobId, taskId, attempt));
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const fd = fs.openSync(file, 'a');
      // A file there already (a late line after the attempt ended) is appended to, within the same cap.
      const bytes = fs.fstatSync(fd).size;
      const opened: OpenLog = { fd, bytes, truncated: bytes >= TASK_LOG_CAP_BYTES - MARKER_ROOM };
      this.open.set(key, opened);
      return opened;
    } catch (err) {
      this.warnOnce('cannot open a task log', { job: jobId, task: taskId, error: (err as Error).message });
      return undefined;
    }
  }

  /** One warning per daemon: a full disk would otherwise warn for every line of every task. */
  private warnOnce(message: string, fields: Record<string, unknown>): void {
    if (this.warned) return;
    this.warned = true;
    this.log.warn(`${message} (further task log errors are not reported)`, fields);
  }
}

/** Parses the JSON lines of `bytes` from `start` into `out`; a torn or foreign line is skipped. */
function parseLines(bytes: Buffer, start: number, taskId: string, attempt: number, out: StoredLogLine[]): void {
  let pos = start;
  while (pos < bytes.length) {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) return; // a line being written: the next read gets it whole
    const text = bytes.toString('utf8', pos, nl);
    pos = nl + 1;
    try {
      const v = JSON.parse(text) as { time?: unknown; level?: unknown; message?: unknown };
      if (typeof v.message !== 'string') continue;
      const level: TaskLogLevel = v.level === 'warn' ? 'warn' : 'info';
      out.push({ taskId, attempt, time: Number(v.time) || 0, level, message: v.message, endOffset: pos });
    } catch {
      continue;
    }
  }
}
