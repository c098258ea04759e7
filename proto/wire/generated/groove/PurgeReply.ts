// Original file: proto/wire/groove.proto


export interface PurgeReply {
  'jobId'?: (string);
}

export interface PurgeReply__Output {
  'jobId': (string);
}
