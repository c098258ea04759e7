// Original file: proto/wire/groove.proto

import type { ResultSplit as _groove_ResultSplit, ResultSplit__Output as _groove_ResultSplit__Output } from '../groove/ResultSplit';

export interface InputPiece {
  'path'?: (string);
  'start'?: (number | string);
  'length'?: (number | string);
  'result'?: (_groove_ResultSplit | null);
  'jsonRecords'?: (boolean);
}

export interface InputPiece__Output {
  'path': (string);
  'start': (number);
  'length': (number);
  'result': (_groove_ResultSplit__Output | null);
  'jsonRecords': (boolean);
}
