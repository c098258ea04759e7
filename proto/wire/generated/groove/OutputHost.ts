// Original file: proto/wire/groove.proto


export interface OutputHost {
  'workerId'?: (string);
  'dataAddress'?: (string);
}

export interface OutputHost__Output {
  'workerId': (string);
  'dataAddress': (string);
}
