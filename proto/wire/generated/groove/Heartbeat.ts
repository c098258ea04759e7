// Original file: proto/wire/groove.proto


export interface Heartbeat {
  'running'?: (number);
}

export interface Heartbeat__Output {
  'running': (number);
}
