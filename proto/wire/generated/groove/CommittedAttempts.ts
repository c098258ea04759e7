// Original file: proto/wire/groove.proto


export interface CommittedAttempts {
  'jobId'?: (string);
  'mapIndex'?: (number)[];
  'mapAttempt'?: (number)[];
  'reduceIndex'?: (number)[];
  'reduceAttempt'?: (number)[];
}

export interface CommittedAttempts__Output {
  'jobId': (string);
  'mapIndex': (number)[];
  'mapAttempt': (number)[];
  'reduceIndex': (number)[];
  'reduceAttempt': (number)[];
}
