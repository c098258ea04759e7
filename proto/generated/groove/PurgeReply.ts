// Original file: proto/groove.proto


export interface PurgeReply {
  'jobId'?: (string);
}

export interface PurgeReply__Output {
  'jobId': (string);
}
