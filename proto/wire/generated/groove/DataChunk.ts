// Original file: proto/wire/groove.proto


export interface DataChunk {
  'data'?: (Buffer | Uint8Array | string);
}

export interface DataChunk__Output {
  'data': (Buffer);
}
