import type * as grpc from '@grpc/grpc-js';
import { NotFoundError, PreconditionFailedError, UserError } from '../../common/index.js';
import { BlockChecksumError, RecordFileError } from '../formats/index.js';
import { grpcLib } from './grpc-lib.js';

/**
 * The gRPC status code a server answers with for an error, chosen by its class (never by
 * its message): what does not exist is NOT_FOUND, a refusal trying again cannot change is
 * FAILED_PRECONDITION (a worker stops reconnecting on it), any other user mistake or bad
 * argument is INVALID_ARGUMENT, a file that fails its checksums is DATA_LOSS (the client
 * names the corrupt part), and anything else is a bug: INTERNAL.
 */
export function grpcStatusOf(err: unknown): grpc.status {
  const { status } = grpcLib();
  if (err instanceof NotFoundError) return status.NOT_FOUND;
  if (err instanceof PreconditionFailedError) return status.FAILED_PRECONDITION;
  if (err instanceof UserError || err instanceof RangeError || err instanceof TypeError) return status.INVALID_ARGUMENT;
  if (err instanceof BlockChecksumError || err instanceof RecordFileError) return status.DATA_LOSS;
  return status.INTERNAL;
}

/**
 * An error as a server answers it: the code of {@link grpcStatusOf}, and `message` (the
 * error's own by default) as the details the client shows.
 */
export function toServiceError(
  err: unknown,
  message = err instanceof Error ? err.message : String(err),
): grpc.ServiceError {
  const { Metadata } = grpcLib();
  return Object.assign(new Error(message), { code: grpcStatusOf(err), details: message, metadata: new Metadata() });
}
