// Original file: proto/wire/groove.proto

import type { CommittedAttempts as _groove_CommittedAttempts, CommittedAttempts__Output as _groove_CommittedAttempts__Output } from '../groove/CommittedAttempts';

export interface Registered {
  'workerId'?: (string);
  'heartbeatMs'?: (number);
  'committed'?: (_groove_CommittedAttempts)[];
  'packs'?: (string)[];
  'heldJobs'?: (string)[];
  'purgedJobs'?: (string)[];
  'retentionMs'?: (number | string);
}

export interface Registered__Output {
  'workerId': (string);
  'heartbeatMs': (number);
  'committed': (_groove_CommittedAttempts__Output)[];
  'packs': (string)[];
  'heldJobs': (string)[];
  'purgedJobs': (string)[];
  'retentionMs': (number);
}
