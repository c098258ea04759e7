// Original file: proto/wire/groove.proto


export interface PackChunk {
  'data'?: (Buffer | Uint8Array | string);
}

export interface PackChunk__Output {
  'data': (Buffer);
}
