import type { JobContext, Key } from '../../common/index.js';

/** Sends a job's log line to the daemon's log. */
export type JobLogSink = (level: 'info' | 'warn', message: string) => void;

/** The JobContext handed to user functions, plus the counters it collected. */
export interface TaskContext extends JobContext {
  /** Mutable: the map task sets it as it moves between inputs. */
  input: string;
  /** Mutable: the reduce task sets it as values are taken (see JobContext.valueKey). */
  valueKey?: Key;
  readonly counterValues: Record<string, number>;
}

/** Builds the context for one task attempt. */
export function createTaskContext(
  taskId: string,
  attempt: number,
  params: Readonly<Record<string, string>>,
  input: string,
  log: JobLogSink,
): TaskContext {
  const counterValues: Record<string, number> = Object.create(null) as Record<string, number>;
  return {
    params: Object.freeze({ ...params }),
    input,
    taskId,
    attempt,
    counterValues,
    counters: {
      increment(name: string, by = 1): void {
        if (typeof by !== 'number' || !Number.isFinite(by))
          throw new TypeError(`counter ${name}: increment must be a finite number`);
        counterValues[String(name)] = (counterValues[String(name)] ?? 0) + by;
      },
    },
    log: {
      info: (message: string) => log('info', String(message)),
      warn: (message: string) => log('warn', String(message)),
    },
  };
}
