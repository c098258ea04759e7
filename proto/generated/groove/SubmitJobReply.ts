// Original file: proto/groove.proto


export interface SubmitJobReply {
  'jobId'?: (string);
}

export interface SubmitJobReply__Output {
  'jobId': (string);
}
