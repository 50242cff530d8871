// Turns a plain async function into a grpc-js unary handler, mapping domain errors onto status codes:
// bad input -> INVALID_ARGUMENT (message names the field), missing -> NOT_FOUND, not built yet ->
// UNIMPLEMENTED, precondition -> FAILED_PRECONDITION, anything else -> INTERNAL (and logged).
import * as grpc from '@grpc/grpc-js';
import { ValidationError } from '@sluice/api/domain';
import type { Logger } from '../log.js';
import { NotFoundError } from '../settings/changes.js';

export class UnimplementedError extends Error {
  override readonly name = 'UnimplementedError';
}

export class PreconditionError extends Error {
  override readonly name = 'PreconditionError';
}

function statusFor(error: unknown): grpc.status {
  if (error instanceof ValidationError) return grpc.status.INVALID_ARGUMENT;
  if (error instanceof NotFoundError) return grpc.status.NOT_FOUND;
  if (error instanceof UnimplementedError) return grpc.status.UNIMPLEMENTED;
  if (error instanceof PreconditionError) return grpc.status.FAILED_PRECONDITION;
  return grpc.status.INTERNAL;
}

export function unary<Req, Res>(
  log: Logger,
  rpc: string,
  handle: (request: Req) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handle(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) => {
          const code = statusFor(error);
          const message = error instanceof Error ? error.message : String(error);
          if (code === grpc.status.INTERNAL) log.error({ rpc, err: error }, 'request failed');
          else log.info({ rpc, code: grpc.status[code], message }, 'request refused');
          callback({ code, details: message, name: 'Error', message }, null);
        },
      );
  };
}

/** For RPCs whose engine arrives in a later version: an honest UNIMPLEMENTED, never a fake state. */
export function notYet(what: string): () => never {
  return () => {
    throw new UnimplementedError(`${what} is not implemented in this version of the helper`);
  };
}
