// Original file: proto/wire/groove.proto

import type { JobStatus as _groove_JobStatus, JobStatus__Output as _groove_JobStatus__Output } from '../groove/JobStatus';

export interface JobEvent {
  'time'?: (number | string);
  'type'?: (string);
  'message'?: (string);
  'status'?: (_groove_JobStatus | null);
}

export interface JobEvent__Output {
  'time': (number);
  'type': (string);
  'message': (string);
  'status': (_groove_JobStatus__Output | null);
}
