// Original file: proto/wire/groove.proto


export interface Heartbeat {
  'running'?: (number);
  'loadAverage'?: (number | string);
}

export interface Heartbeat__Output {
  'running': (number);
  'loadAverage': (number);
}
