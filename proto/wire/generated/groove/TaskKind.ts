// Original file: proto/wire/groove.proto

export const TaskKind = {
  TASK_KIND_UNSPECIFIED: 'TASK_KIND_UNSPECIFIED',
  MAP: 'MAP',
  REDUCE: 'REDUCE',
} as const;

export type TaskKind =
  | 'TASK_KIND_UNSPECIFIED'
  | 0
  | 'MAP'
  | 1
  | 'REDUCE'
  | 2

export type TaskKind__Output = typeof TaskKind[keyof typeof TaskKind]
