// Original file: proto/groove.proto


export interface PurgeJobFiles {
  'jobId'?: (string);
}

export interface PurgeJobFiles__Output {
  'jobId': (string);
}
