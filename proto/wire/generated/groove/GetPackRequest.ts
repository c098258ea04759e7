// Original file: proto/wire/groove.proto


export interface GetPackRequest {
  'hash'?: (string);
}

export interface GetPackRequest__Output {
  'hash': (string);
}
