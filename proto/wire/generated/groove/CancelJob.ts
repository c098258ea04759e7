// Original file: proto/wire/groove.proto


export interface CancelJob {
  'jobId'?: (string);
  'deleteFiles'?: (boolean);
}

export interface CancelJob__Output {
  'jobId': (string);
  'deleteFiles': (boolean);
}
