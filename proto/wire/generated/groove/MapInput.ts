// Original file: proto/wire/groove.proto

import type { InputPiece as _groove_InputPiece, InputPiece__Output as _groove_InputPiece__Output } from '../groove/InputPiece';

export interface MapInput {
  'pieces'?: (_groove_InputPiece)[];
}

export interface MapInput__Output {
  'pieces': (_groove_InputPiece__Output)[];
}
