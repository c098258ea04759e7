// Original file: proto/wire/groove.proto

import type { TaskKind as _groove_TaskKind, TaskKind__Output as _groove_TaskKind__Output } from '../groove/TaskKind';
import type { MapInput as _groove_MapInput, MapInput__Output as _groove_MapInput__Output } from '../groove/MapInput';
import type { OutputHost as _groove_OutputHost, OutputHost__Output as _groove_OutputHost__Output } from '../groove/OutputHost';

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
  'sortBufferBytes'?: (number | string);
  'outputHosts'?: (_groove_OutputHost)[];
  'outputHost'?: (number)[];
  'outputAttempt'?: (number)[];
  'outputStart'?: (number | string)[];
  'outputEnd'?: (number | string)[];
  'outputUrl'?: (string);
  'outputFormat'?: (string);
  'stage'?: (number);
  'mapOnly'?: (boolean);
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
  'sortBufferBytes': (number);
  'outputHosts': (_groove_OutputHost__Output)[];
  'outputHost': (number)[];
  'outputAttempt': (number)[];
  'outputStart': (number)[];
  'outputEnd': (number)[];
  'outputUrl': (string);
  'outputFormat': (string);
  'stage': (number);
  'mapOnly': (boolean);
}
