// Original file: proto/wire/groove.proto

import type { WorkerInfo as _groove_WorkerInfo, WorkerInfo__Output as _groove_WorkerInfo__Output } from '../groove/WorkerInfo';

export interface ListWorkersReply {
  'workers'?: (_groove_WorkerInfo)[];
}

export interface ListWorkersReply__Output {
  'workers': (_groove_WorkerInfo__Output)[];
}
