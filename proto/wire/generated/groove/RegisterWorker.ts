// Original file: proto/wire/groove.proto


export interface RegisterWorker {
  'workerId'?: (string);
  'dataAddress'?: (string);
  'slots'?: (number);
  'hostname'?: (string);
  'version'?: (string);
}

export interface RegisterWorker__Output {
  'workerId': (string);
  'dataAddress': (string);
  'slots': (number);
  'hostname': (string);
  'version': (string);
}
