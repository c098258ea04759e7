// Original file: proto/wire/groove.proto


export interface WorkerInfo {
  'workerId'?: (string);
  'dataAddress'?: (string);
  'slots'?: (number);
  'running'?: (number);
  'state'?: (string);
  'hostname'?: (string);
  'lastSeen'?: (number | string);
  'loadAverage'?: (number | string);
}

export interface WorkerInfo__Output {
  'workerId': (string);
  'dataAddress': (string);
  'slots': (number);
  'running': (number);
  'state': (string);
  'hostname': (string);
  'lastSeen': (number);
  'loadAverage': (number);
}
