// Where the helper listens, decided without loading gRPC (the CLI's start-up path must stay light).
import { statSync } from 'node:fs';

/** The same as @sluice/api's DEFAULT_SOCKET_PATH (a test holds them equal); here so --help stays cheap. */
export const DEFAULT_SOCKET_PATH = '/run/sluice/daemon.sock';

/** Nothing is at `socketPath`: the helper is certainly not running, and no connection need be tried. */
export function socketIsMissing(socketPath: string): boolean {
  try {
    statSync(socketPath);
    return false;
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
}

/** The helper's socket does not exist (exit code 3, as for any helper that cannot be reached). */
export class HelperSocketMissingError extends Error {
  override readonly name = 'HelperSocketMissingError';
  constructor(readonly socketPath: string) {
    super(`the Sluice helper is not running (socket ${socketPath}): the socket does not exist`);
  }
}
