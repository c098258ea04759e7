// Original file: proto/wire/groove.proto


export interface ListJobsRequest {
}

export interface ListJobsRequest__Output {
}
