// Original file: proto/groove.proto


export interface Heartbeat {
  'running'?: (number);
}

export interface Heartbeat__Output {
  'running': (number);
}
