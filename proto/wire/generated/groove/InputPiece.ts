// Original file: proto/wire/groove.proto


export interface InputPiece {
  'path'?: (string);
  'start'?: (number | string);
  'length'?: (number | string);
}

export interface InputPiece__Output {
  'path': (string);
  'start': (number);
  'length': (number);
}
