// Original file: proto/wire/groove.proto


export interface SubmitJobRequest {
  'pack'?: (Buffer | Uint8Array | string);
  'inputs'?: (string)[];
  'partitions'?: (number);
  'params'?: ({[key: string]: string});
  'chunkSize'?: (number | string);
  'sortBufferBytes'?: (number | string);
  'name'?: (string);
  'maxAttempts'?: (number);
  'noSpeculation'?: (boolean);
  'allowEmpty'?: (boolean);
  'outputUrl'?: (string);
  'outputFormat'?: (string);
  'overwrite'?: (boolean);
  'noPackInputs'?: (boolean);
  'clientHost'?: (string);
  'reader'?: (string);
  'stagePartitions'?: (number)[];
  'mapOnly'?: (boolean);
}

export interface SubmitJobRequest__Output {
  'pack': (Buffer);
  'inputs': (string)[];
  'partitions': (number);
  'params': ({[key: string]: string});
  'chunkSize': (number);
  'sortBufferBytes': (number);
  'name': (string);
  'maxAttempts': (number);
  'noSpeculation': (boolean);
  'allowEmpty': (boolean);
  'outputUrl': (string);
  'outputFormat': (string);
  'overwrite': (boolean);
  'noPackInputs': (boolean);
  'clientHost': (string);
  'reader': (string);
  'stagePartitions': (number)[];
  'mapOnly': (boolean);
}
