// Original file: proto/wire/groove.proto


export interface ReadResultRequest {
  'jobId'?: (string);
  'path'?: (string);
}

export interface ReadResultRequest__Output {
  'jobId': (string);
  'path': (string);
}
