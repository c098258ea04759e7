// Original file: proto/wire/groove.proto


export interface FetchPartitionRequest {
  'jobId'?: (string);
  'dir'?: (string);
  'partition'?: (number);
}

export interface FetchPartitionRequest__Output {
  'jobId': (string);
  'dir': (string);
  'partition': (number);
}
