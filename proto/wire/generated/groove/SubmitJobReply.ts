// Original file: proto/wire/groove.proto


export interface SubmitJobReply {
  'jobId'?: (string);
}

export interface SubmitJobReply__Output {
  'jobId': (string);
}
