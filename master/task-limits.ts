import { UserError } from '../common/index.js';

/**
 * The most map tasks one job may have: 1,000,000, in the spirit of Hadoop's
 * mapreduce.job.max.map. A task costs the master tens of bytes in columns, so this keeps
 * one job's records in the tens of MB, and a reduce assignment (which lists every map
 * output) under about 30 MB; the master-scale bench runs a job of exactly this size.
 */
export const MAX_MAPS_PER_JOB = 1_000_000;

/**
 * The most map output partition offsets one job may record: maps x (partitions + 1)
 * numbers of 8 bytes, so 2^27 of them are 1 GiB of master memory. Without it a job of
 * many maps and many partitions would be refused only by the kernel killing the master.
 */
export const MAX_OUTPUT_OFFSETS_PER_JOB = 2 ** 27;

/**
 * The most tasks the jobs a master holds (running or finished, until purged) may have
 * together: 4,000,000, a few full-size jobs. Finished jobs count because their records
 * stay in memory until `mr purge`.
 */
export const MAX_TASKS_PER_MASTER = 4_000_000;

/**
 * Refuses a job whose task counts pass a limit, before any of its records are made.
 * `held` is the number of tasks of the jobs the master holds already.
 */
export function checkTaskCounts(maps: number, partitions: number, held: number): void {
  const n = (x: number): string => x.toLocaleString('en-US');
  if (maps > MAX_MAPS_PER_JOB) {
    throw new UserError(
      `the job would have ${n(maps)} map tasks; the limit is ${n(MAX_MAPS_PER_JOB)} per job (use a larger --chunk-size)`,
    );
  }
  if (maps * (partitions + 1) > MAX_OUTPUT_OFFSETS_PER_JOB) {
    throw new UserError(
      `the job's ${n(maps)} map tasks x ${n(partitions)} partitions pass the limit of ${n(MAX_OUTPUT_OFFSETS_PER_JOB)} map output offsets per job (use a larger --chunk-size or fewer --partitions)`,
    );
  }
  const tasks = maps + partitions;
  if (held + tasks > MAX_TASKS_PER_MASTER) {
    throw new UserError(
      `the master holds ${n(held)} tasks; this job's ${n(tasks)} would pass its limit of ${n(MAX_TASKS_PER_MASTER)} (purge finished jobs with mr purge)`,
    );
  }
}
