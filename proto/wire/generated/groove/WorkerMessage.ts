// Original file: proto/wire/groove.proto

import type { RegisterWorker as _groove_RegisterWorker, RegisterWorker__Output as _groove_RegisterWorker__Output } from '../groove/RegisterWorker';
import type { Heartbeat as _groove_Heartbeat, Heartbeat__Output as _groove_Heartbeat__Output } from '../groove/Heartbeat';
import type { TaskUpdate as _groove_TaskUpdate, TaskUpdate__Output as _groove_TaskUpdate__Output } from '../groove/TaskUpdate';
import type { Drain as _groove_Drain, Drain__Output as _groove_Drain__Output } from '../groove/Drain';

export interface WorkerMessage {
  'register'?: (_groove_RegisterWorker | null);
  'heartbeat'?: (_groove_Heartbeat | null);
  'taskUpdate'?: (_groove_TaskUpdate | null);
  'drain'?: (_groove_Drain | null);
  'kind'?: "register"|"heartbeat"|"taskUpdate"|"drain";
}

export interface WorkerMessage__Output {
  'register'?: (_groove_RegisterWorker__Output | null);
  'heartbeat'?: (_groove_Heartbeat__Output | null);
  'taskUpdate'?: (_groove_TaskUpdate__Output | null);
  'drain'?: (_groove_Drain__Output | null);
  'kind'?: "register"|"heartbeat"|"taskUpdate"|"drain";
}
