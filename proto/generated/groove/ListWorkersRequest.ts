// Original file: proto/groove.proto


export interface ListWorkersRequest {
}

export interface ListWorkersRequest__Output {
}
