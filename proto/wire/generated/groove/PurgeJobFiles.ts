// Original file: proto/wire/groove.proto


export interface PurgeJobFiles {
  'jobId'?: (string);
  'packHash'?: (string);
}

export interface PurgeJobFiles__Output {
  'jobId': (string);
  'packHash': (string);
}
