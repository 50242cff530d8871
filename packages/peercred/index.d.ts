/** What the kernel recorded about the process on the other end of a Unix socket when it connected. */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
}

/**
 * SO_PEERCRED of a connected Unix socket's file descriptor. Throws an Error whose message is the
 * system's (e.g. "Bad file descriptor") when the descriptor is not a connected Unix socket.
 */
export function getPeerCredentials(fd: number): PeerCredentials;
