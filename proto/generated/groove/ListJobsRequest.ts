// Original file: proto/groove.proto


export interface ListJobsRequest {
}

export interface ListJobsRequest__Output {
}
