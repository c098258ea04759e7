// Original file: proto/wire/groove.proto


export interface TaskLogsRequest {
  'jobId'?: (string);
  'taskId'?: (string);
  'follow'?: (boolean);
  'from'?: ({[key: string]: number | string});
}

export interface TaskLogsRequest__Output {
  'jobId': (string);
  'taskId': (string);
  'follow': (boolean);
  'from': ({[key: string]: number});
}
