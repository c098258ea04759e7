// Original file: proto/wire/groove.proto


export interface ReduceOutputInfo {
  'path'?: (string);
  'records'?: (number | string);
  'bytes'?: (number | string);
  'outputUrl'?: (string);
}

export interface ReduceOutputInfo__Output {
  'path': (string);
  'records': (number);
  'bytes': (number);
  'outputUrl': (string);
}
