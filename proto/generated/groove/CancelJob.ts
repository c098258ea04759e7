// Original file: proto/groove.proto


export interface CancelJob {
  'jobId'?: (string);
}

export interface CancelJob__Output {
  'jobId': (string);
}
