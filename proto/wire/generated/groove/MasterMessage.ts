// Original file: proto/wire/groove.proto

import type { Registered as _groove_Registered, Registered__Output as _groove_Registered__Output } from '../groove/Registered';
import type { TaskAssignment as _groove_TaskAssignment, TaskAssignment__Output as _groove_TaskAssignment__Output } from '../groove/TaskAssignment';
import type { CancelJob as _groove_CancelJob, CancelJob__Output as _groove_CancelJob__Output } from '../groove/CancelJob';
import type { PurgeJobFiles as _groove_PurgeJobFiles, PurgeJobFiles__Output as _groove_PurgeJobFiles__Output } from '../groove/PurgeJobFiles';
import type { CancelAttempt as _groove_CancelAttempt, CancelAttempt__Output as _groove_CancelAttempt__Output } from '../groove/CancelAttempt';

export interface MasterMessage {
  'registered'?: (_groove_Registered | null);
  'assign'?: (_groove_TaskAssignment | null);
  'cancel'?: (_groove_CancelJob | null);
  'purge'?: (_groove_PurgeJobFiles | null);
  'cancelAttempt'?: (_groove_CancelAttempt | null);
  'kind'?: "registered"|"assign"|"cancel"|"purge"|"cancelAttempt";
}

export interface MasterMessage__Output {
  'registered'?: (_groove_Registered__Output | null);
  'assign'?: (_groove_TaskAssignment__Output | null);
  'cancel'?: (_groove_CancelJob__Output | null);
  'purge'?: (_groove_PurgeJobFiles__Output | null);
  'cancelAttempt'?: (_groove_CancelAttempt__Output | null);
  'kind'?: "registered"|"assign"|"cancel"|"purge"|"cancelAttempt";
}
