// Original file: proto/wire/groove.proto


export interface MapOutputInfo {
  'dir'?: (string);
  'offsets'?: (number | string)[];
}

export interface MapOutputInfo__Output {
  'dir': (string);
  'offsets': (number)[];
}
