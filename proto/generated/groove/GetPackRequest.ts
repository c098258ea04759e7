// Original file: proto/groove.proto


export interface GetPackRequest {
  'hash'?: (string);
}

export interface GetPackRequest__Output {
  'hash': (string);
}
