// Original file: proto/groove.proto


export interface Registered {
  'workerId'?: (string);
  'heartbeatMs'?: (number);
}

export interface Registered__Output {
  'workerId': (string);
  'heartbeatMs': (number);
}
