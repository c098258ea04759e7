// Original file: proto/wire/groove.proto


export interface Drain {
}

export interface Drain__Output {
}
