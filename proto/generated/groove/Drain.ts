// Original file: proto/groove.proto


export interface Drain {
}

export interface Drain__Output {
}
