// Original file: proto/groove.proto

import type { TaskKind as _groove_TaskKind, TaskKind__Output as _groove_TaskKind__Output } from '../groove/TaskKind';
import type { MapInput as _groove_MapInput, MapInput__Output as _groove_MapInput__Output } from '../groove/MapInput';
import type { MapOutputLocation as _groove_MapOutputLocation, MapOutputLocation__Output as _groove_MapOutputLocation__Output } from '../groove/MapOutputLocation';

export interface TaskAssignment {
  'jobId'?: (string);
  'taskId'?: (string);
  'attempt'?: (number);
  'kind'?: (_groove_TaskKind);
  'packHash'?: (string);
  'partitions'?: (number);
  'params'?: ({[key: string]: string});
  'mapInput'?: (_groove_MapInput | null);
  'partition'?: (number);
  'mapOutputs'?: (_groove_MapOutputLocation)[];
  'sortBufferBytes'?: (number | string);
}

export interface TaskAssignment__Output {
  'jobId': (string);
  'taskId': (string);
  'attempt': (number);
  'kind': (_groove_TaskKind__Output);
  'packHash': (string);
  'partitions': (number);
  'params': ({[key: string]: string});
  'mapInput': (_groove_MapInput__Output | null);
  'partition': (number);
  'mapOutputs': (_groove_MapOutputLocation__Output)[];
  'sortBufferBytes': (number);
}
