// Original file: proto/groove.proto


export interface PurgeJobFiles {
  'jobId'?: (string);
  'packHash'?: (string);
}

export interface PurgeJobFiles__Output {
  'jobId': (string);
  'packHash': (string);
}
