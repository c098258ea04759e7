import type { JobStatus } from '../proto/wire/generated/groove/JobStatus';
import { LOCAL_MAP_COUNTER } from './chain-locality.js';
import type { Job } from './job.js';

/** A job's status as it goes on the wire. */
export function toJobStatus(job: Job): JobStatus {
  return {
    jobId: job.id,
    name: job.spec.name,
    state: job.state,
    error: job.error,
    mapsTotal: job.maps.length,
    mapsDone: job.mapsDone,
    reducesTotal: job.reduces.length,
    reducesDone: job.reducesDone,
    submittedAt: job.submittedAt,
    finishedAt: job.finishedAt,
    counters: { ...job.counters },
    inputs: [...job.spec.inputs],
    errorDetail: job.errorDetail,
    failedAttempts: job.failedAttempts,
    speculativeAttempts: job.speculativeAttempts,
    maxAttempts: job.spec.maxAttempts,
    outputUrl: job.spec.output?.url ?? '',
    outputFormat: job.spec.output?.format ?? '',
    mapsWithLocality: job.mapsWithLocality,
    mapsLocal: job.counters[LOCAL_MAP_COUNTER] ?? 0,
    submitHost: job.spec.submittedBy?.host ?? '',
    submitAddress: job.spec.submittedBy?.address ?? '',
    ...failedAttemptOf(job),
    mapOnly: job.mapOnly,
  };
}

/**
 * The attempt whose failure ended a failed job: the last task-failed event, which comes
 * just before the job's end (scanned from the end, so a long history costs nothing).
 */
function failedAttemptOf(job: Job): { failedTask: string; failedAttempt: number } {
  if (job.state !== 'failed') return { failedTask: '', failedAttempt: 0 };
  const events = job.events;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.kind === 'task-failed') return { failedTask: e.taskId, failedAttempt: e.attempt };
  }
  return { failedTask: '', failedAttempt: 0 };
}
