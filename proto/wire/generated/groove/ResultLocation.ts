// Original file: proto/wire/groove.proto


export interface ResultLocation {
  'partition'?: (number);
  'workerId'?: (string);
  'dataAddress'?: (string);
  'path'?: (string);
}

export interface ResultLocation__Output {
  'partition': (number);
  'workerId': (string);
  'dataAddress': (string);
  'path': (string);
}
