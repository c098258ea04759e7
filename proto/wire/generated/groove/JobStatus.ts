// Original file: proto/wire/groove.proto


export interface JobStatus {
  'jobId'?: (string);
  'name'?: (string);
  'state'?: (string);
  'error'?: (string);
  'mapsTotal'?: (number);
  'mapsDone'?: (number);
  'reducesTotal'?: (number);
  'reducesDone'?: (number);
  'submittedAt'?: (number | string);
  'finishedAt'?: (number | string);
  'counters'?: ({[key: string]: number | string});
  'inputs'?: (string)[];
  'errorDetail'?: (string);
  'failedAttempts'?: (number);
  'speculativeAttempts'?: (number);
  'maxAttempts'?: (number);
  'mapsWithLocality'?: (number);
  'mapsLocal'?: (number);
  'outputUrl'?: (string);
  'outputFormat'?: (string);
  'submitHost'?: (string);
  'submitAddress'?: (string);
  'stage'?: (number);
  'stages'?: (number);
  'mapOnly'?: (boolean);
  'failedTask'?: (string);
  'failedAttempt'?: (number);
}

export interface JobStatus__Output {
  'jobId': (string);
  'name': (string);
  'state': (string);
  'error': (string);
  'mapsTotal': (number);
  'mapsDone': (number);
  'reducesTotal': (number);
  'reducesDone': (number);
  'submittedAt': (number);
  'finishedAt': (number);
  'counters': ({[key: string]: number});
  'inputs': (string)[];
  'errorDetail': (string);
  'failedAttempts': (number);
  'speculativeAttempts': (number);
  'maxAttempts': (number);
  'mapsWithLocality': (number);
  'mapsLocal': (number);
  'outputUrl': (string);
  'outputFormat': (string);
  'submitHost': (string);
  'submitAddress': (string);
  'stage': (number);
  'stages': (number);
  'mapOnly': (boolean);
  'failedTask': (string);
  'failedAttempt': (number);
}
