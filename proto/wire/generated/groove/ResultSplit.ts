// Original file: proto/wire/groove.proto


export interface ResultSplit {
  'jobId'?: (string);
  'partition'?: (number);
  'workerId'?: (string);
  'dataAddress'?: (string);
  'path'?: (string);
  'bytes'?: (number | string);
}

export interface ResultSplit__Output {
  'jobId': (string);
  'partition': (number);
  'workerId': (string);
  'dataAddress': (string);
  'path': (string);
  'bytes': (number);
}
