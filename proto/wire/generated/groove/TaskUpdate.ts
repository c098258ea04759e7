// Original file: proto/wire/groove.proto

import type { TaskOutcome as _groove_TaskOutcome, TaskOutcome__Output as _groove_TaskOutcome__Output } from '../groove/TaskOutcome';
import type { MapOutputInfo as _groove_MapOutputInfo, MapOutputInfo__Output as _groove_MapOutputInfo__Output } from '../groove/MapOutputInfo';
import type { ReduceOutputInfo as _groove_ReduceOutputInfo, ReduceOutputInfo__Output as _groove_ReduceOutputInfo__Output } from '../groove/ReduceOutputInfo';
import type { TaskStats as _groove_TaskStats, TaskStats__Output as _groove_TaskStats__Output } from '../groove/TaskStats';

export interface TaskUpdate {
  'jobId'?: (string);
  'taskId'?: (string);
  'attempt'?: (number);
  'outcome'?: (_groove_TaskOutcome);
  'error'?: (string);
  'errorDetail'?: (string);
  'mapOutput'?: (_groove_MapOutputInfo | null);
  'reduceOutput'?: (_groove_ReduceOutputInfo | null);
  'counters'?: ({[key: string]: number | string});
  'stats'?: (_groove_TaskStats | null);
  'lostMapTasks'?: (string)[];
  'userError'?: (boolean);
  'permanentError'?: (boolean);
  'failureReason'?: (string);
}

export interface TaskUpdate__Output {
  'jobId': (string);
  'taskId': (string);
  'attempt': (number);
  'outcome': (_groove_TaskOutcome__Output);
  'error': (string);
  'errorDetail': (string);
  'mapOutput': (_groove_MapOutputInfo__Output | null);
  'reduceOutput': (_groove_ReduceOutputInfo__Output | null);
  'counters': ({[key: string]: number});
  'stats': (_groove_TaskStats__Output | null);
  'lostMapTasks': (string)[];
  'userError': (boolean);
  'permanentError': (boolean);
  'failureReason': (string);
}
