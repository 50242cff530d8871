// The helper's side of the socket: a safe place to listen and the right permissions on it.
import { chmod, chown, lstat, mkdir, readFile, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';

export interface SocketListenOptions {
  socketPath: string;
  /** Group allowed to use the socket (mode 0660); without it the socket is 0600. */
  groupName?: string;
  /** Where to look the group up (tests point this at a fixture). */
  groupFile?: string;
}

export interface SocketListenResult {
  socketPath: string;
  mode: number;
  /** The group given access, when it exists. */
  gid: number | undefined;
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
 * Prepare `socketPath` (create its directory, remove a stale socket left by a dead helper, refuse to
 * remove anything else or a socket that still answers), bind the server to it and set its permissions.
 */
export async function listenOnSocket(
  server: grpc.Server,
  options: SocketListenOptions,
): Promise<SocketListenResult> {
  const { socketPath } = options;
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o755 });
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
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (error) => {
      if (error) reject(new Error(`cannot listen on ${socketPath}: ${error.message}`));
      else resolve();
    });
  });
  const gid = options.groupName ? await lookupGroupId(options.groupName, options.groupFile) : undefined;
  const mode = gid === undefined ? 0o600 : 0o660;
  if (gid !== undefined) await chown(socketPath, process.getuid?.() ?? 0, gid);
  await chmod(socketPath, mode);
  return { socketPath, mode, gid };
}

/** Map a thrown error onto a gRPC status for the reply. */
export function serviceError(code: grpc.status, message: string): Partial<grpc.ServiceError> {
  return { code, details: message, message };
}
