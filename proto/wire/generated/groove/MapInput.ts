// Original file: proto/wire/groove.proto


export interface MapInput {
  'path'?: (string);
  'start'?: (number | string);
  'length'?: (number | string);
}

export interface MapInput__Output {
  'path': (string);
  'start': (number);
  'length': (number);
}
