// Typed errors for clients of the helper: callers branch on `kind`, not on gRPC numbers.
import { status, type ServiceError } from '@grpc/grpc-js';

export type ApiErrorKind =
  | 'unreachable'
  | 'invalid-argument'
  | 'not-found'
  | 'failed-precondition'
  | 'unimplemented'
  | 'permission-denied'
  | 'deadline-exceeded'
  | 'cancelled'
  | 'internal';

const kindByCode = new Map<number, ApiErrorKind>([
  [status.UNAVAILABLE, 'unreachable'],
  [status.INVALID_ARGUMENT, 'invalid-argument'],
  [status.NOT_FOUND, 'not-found'],
  [status.FAILED_PRECONDITION, 'failed-precondition'],
  [status.UNIMPLEMENTED, 'unimplemented'],
  [status.PERMISSION_DENIED, 'permission-denied'],
  [status.UNAUTHENTICATED, 'permission-denied'],
  [status.DEADLINE_EXCEEDED, 'deadline-exceeded'],
  [status.CANCELLED, 'cancelled'],
]);

/** An RPC failed. `message` is the helper's own words (for INVALID_ARGUMENT: the field and what is accepted). */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** The helper is not running, or its socket is missing or refuses connections. */
export class HelperUnreachableError extends ApiError {
  override readonly name = 'HelperUnreachableError';
  constructor(
    readonly socketPath: string,
    detail: string,
  ) {
    super(
      'unreachable',
      `the Sluice helper is not running (socket ${socketPath}): ${detail}`,
      status.UNAVAILABLE,
    );
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return (
    error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'metadata' in error
  );
}

export function toApiError(error: unknown, socketPath: string): ApiError {
  if (error instanceof ApiError) return error;
  if (isServiceError(error)) {
    const kind = kindByCode.get(error.code) ?? 'internal';
    // The socket is there but this user may not open it: that is not "the helper is not running".
    if (kind === 'unreachable' && /\bEACCES\b|permission denied/i.test(error.details)) {
      return new ApiError(
        'permission-denied',
        `this user may not connect to the Sluice helper's socket ${socketPath} (permission denied)`,
        status.PERMISSION_DENIED,
      );
    }
    if (kind === 'unreachable') return new HelperUnreachableError(socketPath, error.details || error.message);
    if (
      kind === 'deadline-exceeded' &&
      /waiting for (the )?(connection|LB pick)|Waiting for LB pick/i.test(error.details)
    ) {
      return new HelperUnreachableError(socketPath, 'no answer before the deadline');
    }
    return new ApiError(kind, error.details || error.message, error.code);
  }
  return new ApiError('internal', error instanceof Error ? error.message : String(error), status.INTERNAL);
}
