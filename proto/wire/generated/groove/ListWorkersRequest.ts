// Original file: proto/wire/groove.proto


export interface ListWorkersRequest {
}

export interface ListWorkersRequest__Output {
}
