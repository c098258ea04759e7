// Original file: proto/wire/groove.proto


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
