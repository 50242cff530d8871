// The helper's side of the socket: a safe place to listen and the right permissions on it.
import { chmod, lstat, mkdir, readFile, unlink } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';

export interface SocketListenOptions {
  socketPath: string;
  /**
   * The socket's mode. Default 0666: every local user may connect (reading is open to all, as
   * Mullvad's is); what each call may do is the server's decision, from the caller's credentials.
   */
  mode?: number;
  /**
   * Called for each accepted connection before gRPC reads from it. What it returns is what
   * `call.getPeer()` reports for every call on that connection, so handlers can tell callers apart.
   */
  identify?: (socket: Socket) => string;
}

export interface SocketListenResult {
  socketPath: string;
  mode: number;
  /** Stop accepting connections (gRPC's own shutdown ends the ones already open). */
  close(): Promise<void>;
}

/** The gid of `name` in an /etc/group-format file, or undefined. */
export async function lookupGroupId(name: string, groupFile = '/etc/group'): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(groupFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/** True when something accepts connections on the Unix socket at `path`. */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Prepare `socketPath` (create its directory 0755, remove a stale socket left by a dead helper, refuse to
 * remove anything else or a socket that still answers), listen on it and hand each connection to the
 * gRPC server, after `identify` has seen it.
 */
export async function listenOnSocket(
  server: grpc.Server,
  options: SocketListenOptions,
): Promise<SocketListenResult> {
  const { socketPath } = options;
  const directory = dirname(socketPath);
  await mkdir(directory, { recursive: true, mode: 0o755 });
  // Callers outside root's group must reach the socket: the directory is searchable by all.
  await chmod(directory, 0o755);
  const existing = await lstat(socketPath).catch(() => undefined);
  if (existing) {
    if (!existing.isSocket()) {
      throw new Error(`${socketPath} exists and is not a socket; refusing to replace it`);
    }
    if (await socketAnswers(socketPath)) {
      throw new Error(`another helper is already listening on ${socketPath}`);
    }
    await unlink(socketPath);
  }
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener = createServer((socket) => {
    if (options.identify) {
      const peer = options.identify(socket);
      // grpc-js reports the connection's remoteAddress as the peer of each call; a Unix socket has none.
      Object.defineProperty(socket, 'remoteAddress', { value: peer, configurable: true });
    }
    injector.injectConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', (error) => reject(new Error(`cannot listen on ${socketPath}: ${error.message}`)));
    listener.listen(socketPath, resolve);
  });
  const mode = options.mode ?? 0o666;
  await chmod(socketPath, mode);
  return {
    socketPath,
    mode,
    close: () =>
      new Promise((resolve) => {
        injector.destroy();
        listener.close(() => resolve());
      }),
  };
}

/** Map a thrown error onto a gRPC status for the reply. */
export function serviceError(code: grpc.status, message: string): Partial<grpc.ServiceError> {
  return { code, details: message, message };
}
