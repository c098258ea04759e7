// Original file: proto/wire/groove.proto


export interface TaskStats {
  'recordsIn'?: (number | string);
  'recordsOut'?: (number | string);
  'bytesIn'?: (number | string);
  'bytesOut'?: (number | string);
  'millis'?: (number | string);
  'spills'?: (number | string);
}

export interface TaskStats__Output {
  'recordsIn': (number);
  'recordsOut': (number);
  'bytesIn': (number);
  'bytesOut': (number);
  'millis': (number);
  'spills': (number);
}
