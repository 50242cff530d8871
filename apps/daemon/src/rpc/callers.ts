// Who is calling, as the kernel says (DESIGN.md "Callers and authorization"), and what each caller may
// do. Credentials are read once per connection from the socket (SO_PEERCRED: uid, gid, pid; the pid's
// supplementary groups from /proc), never from a request. Reading is open to every local user;
// changing anything needs root or membership of the control group (`sluice`); when the credentials
// cannot be read, control is refused.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { getPeerCredentials } from '@sluice/peercred';
import type { pb } from '@sluice/api';

export interface Caller {
  uid: number;
  gid: number;
  /** Supplementary groups of the calling process when it connected. */
  groups: readonly number[];
  pid: number;
}

/** What an RPC needs: `read` is open to every local user, `control` to root and the control group. */
export type Access = 'read' | 'control';

/** The keys of a generated service interface, without its index signature. */
type Methods<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };

export type RpcMethod =
  | Methods<pb.TunnelServiceServer>
  | Methods<pb.EventServiceServer>
  | Methods<pb.SettingsServiceServer>
  | Methods<pb.RelayServiceServer>
  | Methods<pb.IdentityServiceServer>
  | Methods<pb.SplitTunnelServiceServer>
  | Methods<pb.DiagnosticsServiceServer>;

/**
 * Every RPC's access, in one place: an RPC missing here is a type error. The leak test is control (it
 * makes the helper fetch a URL the caller names), and so are the logs (they hold addresses). Relay
 * latency is read: it changes nothing and only pings relays of the list, and its traffic is bounded
 * however many callers ask (one shared, paced pool of probes and a cache; relays/latency-meter.ts).
 */
export const RPC_ACCESS: Readonly<Record<RpcMethod, Access>> = {
  connect: 'control',
  disconnect: 'control',
  reconnect: 'control',
  getTunnelState: 'read',
  eventsListen: 'read',
  getSettings: 'read',
  setLockdownMode: 'control',
  setAllowLan: 'control',
  setAutoConnect: 'control',
  setDnsOptions: 'control',
  setMtu: 'control',
  setEnableIpv6: 'control',
  setWireguardPort: 'control',
  setBypassRanges: 'control',
  addBypassRange: 'control',
  removeBypassRange: 'control',
  getRelayList: 'read',
  updateRelayList: 'control',
  importRelays: 'control',
  setRelayConstraints: 'control',
  measureLatency: 'read',
  getIdentity: 'read',
  rotateKey: 'control',
  setAddresses: 'control',
  getSplitTunnelState: 'read',
  setSplitTunnelEnabled: 'control',
  addSplitTunnelApp: 'control',
  removeSplitTunnelApp: 'control',
  addSplitTunnelProcess: 'control',
  removeSplitTunnelProcess: 'control',
  clearSplitTunnelProcesses: 'control',
  getVersion: 'read',
  runLeakTest: 'control',
  getLogs: 'control',
};

export const CONTROL_GROUP = 'sluice';

export class PermissionDeniedError extends Error {
  override readonly name = 'PermissionDeniedError';
}

/** The control rule: root, or the control group as primary or supplementary group. */
export function mayControl(caller: Caller, controlGid: number | undefined): boolean {
  if (caller.uid === 0) return true;
  if (controlGid === undefined) return false;
  return caller.gid === controlGid || caller.groups.includes(controlGid);
}

/** Throws PermissionDeniedError, naming what is needed, unless `caller` may make a call of `access`. */
export function authorize(
  caller: Caller | undefined,
  access: Access,
  rpc: string,
  controlGid: number | undefined,
): void {
  if (access === 'read') return;
  if (!caller) {
    throw new PermissionDeniedError(
      `${rpc} changes the helper, and the helper could not tell who is calling (no credentials on this connection); it is refused`,
    );
  }
  if (!mayControl(caller, controlGid)) {
    throw new PermissionDeniedError(
      `${rpc} changes the helper and needs root or membership of group "${CONTROL_GROUP}" ` +
        `(the caller is uid ${caller.uid}${controlGid === undefined ? `; there is no group "${CONTROL_GROUP}" on this system` : ''})`,
    );
  }
}

/** The real, effective, saved and filesystem uids on the "Uid:" line of /proc/<pid>/status. */
export function parseStatusUids(status: string): number[] {
  const line = /^Uid:\s*(.*)$/m.exec(status)?.[1] ?? '';
  return line
    .split(/\s+/)
    .filter((word) => /^\d+$/.test(word))
    .map(Number);
}

/** The uids of process `pid`, or undefined when there is no such process (or it cannot be read). */
export function processUids(pid: number): number[] | undefined {
  try {
    const uids = parseStatusUids(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return uids.length > 0 ? uids : undefined;
  } catch {
    return undefined;
  }
}

export class NoSuchProcessError extends Error {
  override readonly name = 'NoSuchProcessError';
}

/**
 * A caller may move only its own processes in or out of split tunnelling; root may move any. A process
 * is the caller's when every one of its uids is the caller's: a setuid program the user started runs
 * as someone else and is not theirs to move.
 */
export function authorizeProcess(
  caller: Caller | undefined,
  pid: number,
  rpc: string,
  uidsOf: (pid: number) => number[] | undefined = processUids,
): void {
  if (!caller)
    throw new PermissionDeniedError(`${rpc} needs to know who is calling, and the helper could not tell`);
  const uids = uidsOf(pid);
  if (!uids) throw new NoSuchProcessError(`there is no process ${pid}`);
  if (caller.uid === 0) return;
  if (uids.some((uid) => uid !== caller.uid)) {
    throw new PermissionDeniedError(
      `${rpc} moves only your own processes: process ${pid} runs as uid ${uids.find((u) => u !== caller.uid)}, ` +
        `you are uid ${caller.uid} (root may move any process)`,
    );
  }
}

/** The numbers on the "Groups:" line of /proc/<pid>/status; empty when it cannot be read. */
export function parseStatusGroups(status: string): number[] {
  const line = /^Groups:\s*(.*)$/m.exec(status)?.[1] ?? '';
  return line
    .split(/\s+/)
    .filter((word) => /^\d+$/.test(word))
    .map(Number);
}

/** The file descriptor of a connected socket (Node's handle; absent for sockets not backed by one). */
function socketFd(socket: Socket): number | undefined {
  const handle: unknown = Reflect.get(socket, '_handle');
  const fd: unknown = typeof handle === 'object' && handle !== null ? Reflect.get(handle, 'fd') : undefined;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** The caller on the other end of `socket`, from the kernel; undefined when it cannot be read. */
export function kernelCaller(socket: Socket): Caller | undefined {
  const fd = socketFd(socket);
  if (fd === undefined) return undefined;
  let credentials: { pid: number; uid: number; gid: number };
  try {
    credentials = getPeerCredentials(fd);
  } catch {
    return undefined;
  }
  let groups: number[] = [];
  try {
    groups = parseStatusGroups(readFileSync(`/proc/${credentials.pid}/status`, 'utf8'));
  } catch {
    // The caller is gone already: its groups are unknown, so only uid and gid count.
  }
  return { ...credentials, groups };
}

const PEER_PREFIX = 'sluice-caller:';

/** Connections and who is on each: `identify` tags a connection, `of` finds its caller again. */
export class CallerRegistry {
  private readonly callers = new Map<string, Caller | undefined>();
  private next = 0;

  constructor(private readonly read: (socket: Socket) => Caller | undefined = kernelCaller) {}

  /** Read the caller of a new connection; returns the peer name its calls will report. */
  identify(socket: Socket): string {
    const peer = `${PEER_PREFIX}${++this.next}`;
    this.callers.set(peer, this.read(socket));
    socket.once('close', () => this.callers.delete(peer));
    return peer;
  }

  /** The caller of a call whose `getPeer()` is `peer`; undefined when unknown. */
  of(peer: string): Caller | undefined {
    return this.callers.get(peer);
  }

  get size(): number {
    return this.callers.size;
  }
}
