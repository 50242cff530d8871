// The one wrapper every handler goes through: the caller (from the kernel, per connection) is looked up
// and authorized for the RPC's access (rpc/callers.ts) before any work, every change is logged with the
// caller's uid and pid, and domain errors map onto status codes: not allowed -> PERMISSION_DENIED, bad
// input -> INVALID_ARGUMENT (message names the field), missing -> NOT_FOUND, not built yet ->
// UNIMPLEMENTED, precondition -> FAILED_PRECONDITION, busy -> RESOURCE_EXHAUSTED, anything else ->
// INTERNAL (and logged).
import * as grpc from '@grpc/grpc-js';
import { safeMessage, ValidationError } from '@sluice/api/domain';
import type { Logger } from '../log.js';
import { NotFoundError } from '../settings/changes.js';
import { NotExcludedError, ProcessGoneError } from '../split-tunnel/exclusion-cgroup.js';
import { SplitTunnelUnavailableError } from '../split-tunnel/service.js';
import {
  authorize,
  NoSuchProcessError,
  PermissionDeniedError,
  RPC_ACCESS,
  type Caller,
  type CallerRegistry,
  type RpcMethod,
} from './callers.js';
import { refuseMalformed } from './malformed.js';

/** What the wrapper needs from the helper. */
export interface RpcGate {
  log: Logger;
  callers: CallerRegistry;
  /** The control group's gid (`sluice`), when the system has one. */
  controlGid: number | undefined;
}

export class UnimplementedError extends Error {
  override readonly name = 'UnimplementedError';
}

export class PreconditionError extends Error {
  override readonly name = 'PreconditionError';
}

/** Too many of something at once (calls of a stream that holds resources): try again later. */
export class BusyError extends Error {
  override readonly name = 'BusyError';
}

function statusFor(error: unknown): grpc.status {
  if (error instanceof PermissionDeniedError) return grpc.status.PERMISSION_DENIED;
  if (error instanceof ValidationError) return grpc.status.INVALID_ARGUMENT;
  if (
    error instanceof NotFoundError ||
    error instanceof NoSuchProcessError ||
    error instanceof NotExcludedError ||
    error instanceof ProcessGoneError
  )
    return grpc.status.NOT_FOUND;
  if (error instanceof SplitTunnelUnavailableError) return grpc.status.FAILED_PRECONDITION;
  if (error instanceof UnimplementedError) return grpc.status.UNIMPLEMENTED;
  if (error instanceof PreconditionError) return grpc.status.FAILED_PRECONDITION;
  if (error instanceof BusyError) return grpc.status.RESOURCE_EXHAUSTED;
  return grpc.status.INTERNAL;
}

/** `setLockdownMode` -> `SetLockdownMode`, as the API names it. */
export const rpcName = (method: RpcMethod): string => method.charAt(0).toUpperCase() + method.slice(1);

/**
 * The caller of `call`, authorized for `method` (throws PermissionDeniedError). Changes are logged
 * with who asked.
 */
export function admit(
  gate: RpcGate,
  method: RpcMethod,
  call: { getPeer(): string; request?: unknown },
): Caller | undefined {
  refuseMalformed(call.request);
  const caller = gate.callers.of(call.getPeer());
  const access = RPC_ACCESS[method];
  authorize(caller, access, rpcName(method), gate.controlGid);
  if (access === 'control')
    gate.log.info({ rpc: rpcName(method), uid: caller?.uid, pid: caller?.pid }, 'change requested');
  return caller;
}

export function unary<Req, Res>(
  gate: RpcGate,
  method: RpcMethod,
  handle: (request: Req, caller: Caller | undefined) => Promise<Res> | Res,
): grpc.handleUnaryCall<Req, Res> {
  const rpc = rpcName(method);
  return (call, callback) => {
    Promise.resolve()
      .then(() => handle(call.request, admit(gate, method, call)))
      .then(
        (response) => callback(null, response),
        (error: unknown) => {
          const code = statusFor(error);
          // What leaves the helper, and its log: a short message, no key, no control characters.
          const message = safeMessage(error instanceof Error ? error.message : String(error));
          if (code === grpc.status.INTERNAL) gate.log.error({ rpc, err: message }, 'request failed');
          else gate.log.info({ rpc, code: grpc.status[code], message }, 'request refused');
          callback({ code, details: message, name: 'Error', message }, null);
        },
      );
  };
}

/** A stream's refusal, as unary's: the status a client sees before any message. */
export function refusal(error: unknown): Partial<grpc.ServiceError> {
  const code = statusFor(error);
  const message = safeMessage(error instanceof Error ? error.message : String(error));
  return { code, details: message, message };
}

/** For RPCs whose engine arrives in a later version: an honest UNIMPLEMENTED, never a fake state. */
export function notYet(what: string): () => never {
  return () => {
    throw new UnimplementedError(`${what} is not implemented in this version of the helper`);
  };
}
