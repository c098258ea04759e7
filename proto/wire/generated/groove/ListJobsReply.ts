// Original file: proto/wire/groove.proto

import type { JobStatus as _groove_JobStatus, JobStatus__Output as _groove_JobStatus__Output } from '../groove/JobStatus';

export interface ListJobsReply {
  'jobs'?: (_groove_JobStatus)[];
}

export interface ListJobsReply__Output {
  'jobs': (_groove_JobStatus__Output)[];
}
