// Original file: proto/wire/groove.proto

import type { ResultLocation as _groove_ResultLocation, ResultLocation__Output as _groove_ResultLocation__Output } from '../groove/ResultLocation';

export interface ResultLocations {
  'jobId'?: (string);
  'parts'?: (_groove_ResultLocation)[];
  'outputUrl'?: (string);
  'outputFormat'?: (string);
  'partitions'?: (number);
}

export interface ResultLocations__Output {
  'jobId': (string);
  'parts': (_groove_ResultLocation__Output)[];
  'outputUrl': (string);
  'outputFormat': (string);
  'partitions': (number);
}
