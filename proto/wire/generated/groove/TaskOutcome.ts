// Original file: proto/wire/groove.proto

export const TaskOutcome = {
  TASK_OUTCOME_UNSPECIFIED: 'TASK_OUTCOME_UNSPECIFIED',
  TASK_SUCCEEDED: 'TASK_SUCCEEDED',
  TASK_FAILED: 'TASK_FAILED',
} as const;

export type TaskOutcome =
  | 'TASK_OUTCOME_UNSPECIFIED'
  | 0
  | 'TASK_SUCCEEDED'
  | 1
  | 'TASK_FAILED'
  | 2

export type TaskOutcome__Output = typeof TaskOutcome[keyof typeof TaskOutcome]
