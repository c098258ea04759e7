// Original file: proto/wire/groove.proto


export interface JobRequest {
  'jobId'?: (string);
}

export interface JobRequest__Output {
  'jobId': (string);
}
