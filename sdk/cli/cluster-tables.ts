import type { ResultLocations__Output } from '../../proto/wire/generated/groove/ResultLocations';
import type { JobStatus, WorkerInfo } from '../client.js';
import { textTable } from './text-table.js';

/** A span of time as people read it: `850 ms`, `12.3 s`, `4m05s`, `2h03m`. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** A moment to the second, in UTC (`2026-12-02 05:12:34`): sortable, and the same on every host. */
function timeText(ms: number): string {
  return ms ? new Date(ms).toISOString().slice(0, 19).replace('T', ' ') : '-';
}

/** `mr jobs`: one row per job, oldest first as the master lists them. */
export function jobsTable(jobs: readonly JobStatus[], now = Date.now()): string {
  return textTable(
    ['JOB', 'STATE', 'MAP', 'REDUCE', 'SUBMITTED', 'DURATION', 'ERROR'],
    jobs.map((s) => [
      s.jobId,
      s.state,
      `${s.mapsDone}/${s.mapsTotal}`,
      `${s.reducesDone}/${s.reducesTotal}`,
      timeText(s.submittedAt),
      durationText((s.finishedAt || now) - s.submittedAt),
      s.error,
    ]),
  );
}

/** `mr workers`: one row per worker the master knows, lost ones included. */
export function workersTable(workers: readonly WorkerInfo[], now = Date.now()): string {
  return textTable(
    ['WORKER', 'ADDRESS', 'HOST', 'STATE', 'SLOTS', 'LAST SEEN'],
    workers.map((w) => [
      w.workerId,
      w.dataAddress,
      w.hostname,
      w.state,
      `${w.running}/${w.slots}`,
      w.lastSeen ? `${durationText(now - w.lastSeen)} ago` : '-',
    ]),
  );
}

/** `mr results JOB --locations`: where each partition's part file is, and the job's output store. */
export function locationsTable(locations: ResultLocations__Output): string {
  const parts = [...locations.parts].sort((a, b) => a.partition - b.partition);
  const table = textTable(
    ['PARTITION', 'WORKER', 'ADDRESS', 'PATH'],
    parts.map((p) => [String(p.partition), p.workerId, p.dataAddress, p.path]),
  );
  if (!locations.outputUrl) return table;
  const format = locations.outputFormat || 'text';
  return `${table}stored: ${locations.partitions} partitions under ${locations.outputUrl} (${format})\n`;
}

/** A job's counters, Groove's own (`groove.*`) and the job's, by name. */
export function countersTable(counters: Readonly<Record<string, number>>): string {
  const names = Object.keys(counters).sort();
  return textTable(
    ['COUNTER', 'VALUE'],
    names.map((name) => [name, String(counters[name])]),
  );
}
