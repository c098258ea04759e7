// Original file: proto/groove.proto


export interface CancelAttempt {
  'jobId'?: (string);
  'taskId'?: (string);
  'attempt'?: (number);
}

export interface CancelAttempt__Output {
  'jobId': (string);
  'taskId': (string);
  'attempt': (number);
}
