// Original file: proto/groove.proto


export interface MapOutputLocation {
  'taskId'?: (string);
  'workerId'?: (string);
  'dataAddress'?: (string);
  'dir'?: (string);
  'offsets'?: (number | string)[];
}

export interface MapOutputLocation__Output {
  'taskId': (string);
  'workerId': (string);
  'dataAddress': (string);
  'dir': (string);
  'offsets': (number)[];
}
