// Original file: proto/wire/groove.proto


export interface TaskLogLine {
  'taskId'?: (string);
  'attempt'?: (number);
  'workerId'?: (string);
  'time'?: (number | string);
  'level'?: (string);
  'message'?: (string);
  'endOffset'?: (number | string);
  'unavailable'?: (string);
}

export interface TaskLogLine__Output {
  'taskId': (string);
  'attempt': (number);
  'workerId': (string);
  'time': (number);
  'level': (string);
  'message': (string);
  'endOffset': (number);
  'unavailable': (string);
}
