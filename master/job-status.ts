import type { JobStatus } from '../proto/wire/generated/groove/JobStatus';
import { LOCAL_MAP_COUNTER } from './chain-locality.js';
import type { Job } from './job.js';
import { hasLaterStage } from './job-stage.js';

/**
 * A job's status as it goes on the wire. A stage of a staged job (docs/stages.md) is shown
 * as the staged job: its id, its first stage's inputs and submission time, the counters of
 * every stage so far, and which stage runs; a stage that succeeded with another to follow
 * is still running.
 */
export function toJobStatus(job: Job): JobStatus {
  const stage = job.spec.stage;
  const first = job.earlierStages[0] ?? job;
  const goesOn = hasLaterStage(stage) && job.state === 'succeeded';
  return {
    jobId: stage?.of ?? job.id,
    name: job.spec.name,
    state: goesOn ? 'running' : job.state,
    error: job.error,
    mapsTotal: job.maps.length,
    mapsDone: job.mapsDone,
    reducesTotal: job.reduces.length,
    reducesDone: job.reducesDone,
    submittedAt: first.submittedAt,
    finishedAt: goesOn ? 0 : job.finishedAt,
    counters: stageCounters(job),
    inputs: [...first.spec.inputs],
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
    stage: stage ? stage.index + 1 : 0,
    stages: stage?.partitions.length ?? 0,
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

/** The counters of a job, summed over its stages so far: a counter one stage's code counts stays counted. */
function stageCounters(job: Job): Record<string, number> {
  const sum: Record<string, number> = { ...job.counters };
  for (const earlier of job.earlierStages)
    for (const [name, n] of Object.entries(earlier.counters)) sum[name] = (sum[name] ?? 0) + n;
  return sum;
}
