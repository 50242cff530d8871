// The cross-platform WireGuard UAPI (https://www.wireguard.com/xplatform/) spoken over the device's Unix
// socket: pure functions that build request text and parse replies, and a small client: reads go over one
// connection kept open, writes each over a connection of their own. Keys are hex on the wire and base64
// everywhere else.
import { createConnection, type Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { hexToKey, keyToHex } from '../identity/keys.js';

export const DEFAULT_UAPI_DIR = '/var/run/wireguard';

export function uapiSocketPath(interfaceName: string, dir = DEFAULT_UAPI_DIR): string {
  return join(dir, `${interfaceName}.sock`);
}

// ---- requests -----------------------------------------------------------------------------------

export interface UapiPeerSet {
  /** Base64; selects (or creates) the peer the following settings apply to. */
  publicKey: string;
  remove?: boolean;
  /** Change the peer only if it already exists. */
  updateOnly?: boolean;
  /** Base64; the all-zero key removes it. */
  presharedKey?: string;
  /** Already formatted `ip:port` / `[ipv6]:port`. */
  endpoint?: string;
  /** Seconds; 0 turns it off. */
  persistentKeepalive?: number;
  replaceAllowedIps?: boolean;
  allowedIps?: readonly string[];
}

export interface UapiDeviceSet {
  /** Base64. */
  privateKey?: string;
  listenPort?: number;
  /** 0 removes the mark. */
  fwmark?: number;
  replacePeers?: boolean;
  peers?: readonly UapiPeerSet[];
}

export const GET_REQUEST = 'get=1\n\n';

function line(key: string, value: string | number | boolean): string {
  const text = String(value);
  // Values come from validated data, but a newline would let one value inject a whole setting.
  if (text.includes('\n')) throw new Error(`UAPI value for ${key} contains a newline`);
  return `${key}=${text}\n`;
}

/** The text of a `set=1` request; order matters (device keys, then each peer's keys after its public_key). */
export function buildSetRequest(set: UapiDeviceSet): string {
  let text = 'set=1\n';
  if (set.privateKey !== undefined) text += line('private_key', keyToHex(set.privateKey));
  if (set.listenPort !== undefined) text += line('listen_port', set.listenPort);
  if (set.fwmark !== undefined) text += line('fwmark', set.fwmark);
  if (set.replacePeers) text += line('replace_peers', true);
  for (const peer of set.peers ?? []) {
    text += line('public_key', keyToHex(peer.publicKey));
    if (peer.remove) {
      text += line('remove', true);
      continue;
    }
    if (peer.updateOnly) text += line('update_only', true);
    if (peer.presharedKey !== undefined) text += line('preshared_key', keyToHex(peer.presharedKey));
    if (peer.endpoint !== undefined) text += line('endpoint', peer.endpoint);
    if (peer.persistentKeepalive !== undefined) {
      text += line('persistent_keepalive_interval', peer.persistentKeepalive);
    }
    if (peer.replaceAllowedIps) text += line('replace_allowed_ips', true);
    for (const cidr of peer.allowedIps ?? []) text += line('allowed_ip', cidr);
  }
  return `${text}\n`;
}

// ---- replies ------------------------------------------------------------------------------------

const ERRNO_MEANINGS: Record<string, string> = {
  EINVAL: 'the device refused a value (a malformed key, endpoint or allowed IP, or an unknown setting)',
  EADDRINUSE: 'the listen port is already in use',
  ENODEV: 'there is no such WireGuard device',
  EPROTO: 'the device did not understand the request (protocol error)',
  EIO: 'the device had an I/O error while handling the request',
  EPERM: 'the operation is not permitted',
  EACCES: 'the operation is not permitted',
  ENOMEM: 'the device ran out of memory',
  ENOENT: 'a peer the request names does not exist',
};

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, value]) => [value, name]),
);

/** The symbolic name of a (positive) errno on this platform, or `errno N`. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

/** The device answered with a non-zero `errno=`. */
export class UapiError extends Error {
  override readonly name = 'UapiError';
  /** Positive errno (wireguard-go sends it negated, the kernel's UAPI docs positive; both are accepted). */
  readonly errno: number;
  /** Symbolic name, e.g. EINVAL, EADDRINUSE. */
  readonly code: string;
  readonly meaning: string;
  constructor(
    readonly operation: 'get' | 'set',
    errno: number,
    readonly device?: string,
  ) {
    const positive = Math.abs(errno);
    const code = errnoName(positive);
    const meaning = ERRNO_MEANINGS[code] ?? `the device reported ${code}`;
    super(`WireGuard ${operation}${device ? ` on ${device}` : ''} failed with ${code}: ${meaning}`);
    this.errno = positive;
    this.code = code;
    this.meaning = meaning;
  }
}

/** The socket could not be reached, or the reply was cut short or malformed. */
export class UapiConnectionError extends Error {
  override readonly name = 'UapiConnectionError';
  constructor(
    readonly socketPath: string,
    /** ENOENT (no socket), ECONNREFUSED (stale socket), ETIMEDOUT, EPROTO (bad or missing reply), ... */
    readonly code: string,
    detail: string,
  ) {
    super(`WireGuard UAPI ${socketPath}: ${detail}`);
  }
}

/** A reply that does not follow the protocol. */
export class UapiProtocolError extends Error {
  override readonly name = 'UapiProtocolError';
}

export interface UapiPeerState {
  /** Base64. */
  publicKey: string;
  /** As the device prints it, e.g. `192.0.2.1:51820`; null before the first endpoint is known. */
  endpoint: string | null;
  allowedIps: string[];
  rxBytes: number;
  txBytes: number;
  lastHandshakeSec: number;
  lastHandshakeNsec: number;
  persistentKeepalive: number;
  protocolVersion: number;
}

/**
 * A device as `get=1` describes it. The private and preshared keys are deliberately not kept: nothing
 * needs them back, and a parsed state may well end up in a log.
 */
export interface UapiDeviceState {
  hasPrivateKey: boolean;
  listenPort: number;
  fwmark: number;
  peers: UapiPeerState[];
}

/**
 * Calls `visit` with each `key=value` line of a reply, its errno line last; throws on a line that is not
 * one. In one pass without arrays: the counters are read twice a second (issue 13, garbage while idle).
 */
function forEachEntry(text: string, visit: (key: string, value: string) => void): void {
  if (!text.endsWith('\n\n')) throw new UapiProtocolError('the reply does not end with a blank line');
  const end = text.length - 2;
  for (let start = 0; start <= end;) {
    let stop = text.indexOf('\n', start);
    if (stop < 0 || stop > end) stop = end;
    const eq = text.indexOf('=', start);
    if (eq <= start || eq > stop) {
      throw new UapiProtocolError(`the reply has a line that is not key=value: "${text.slice(start, stop)}"`);
    }
    visit(text.slice(start, eq), text.slice(eq + 1, stop));
    start = stop + 1;
  }
}

/** The errno of a reply's last entry; throws unless it is `errno=N`. */
function errnoOf(key: string | undefined, value: string | undefined): number {
  if (key !== 'errno' || value === undefined || !/^-?\d+$/.test(value)) {
    throw new UapiProtocolError('the reply does not end with errno=N');
  }
  return Number(value);
}

/** The `errno=` of a reply's last line (0 on success), as sent (wireguard-go sends e.g. -22). */
export function replyErrno(text: string): number {
  let lastKey: string | undefined;
  let lastValue: string | undefined;
  forEachEntry(text, (key, value) => {
    lastKey = key;
    lastValue = value;
  });
  return errnoOf(lastKey, lastValue);
}

function uint(key: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UapiProtocolError(`${key}=${value} is not a number`);
  // Byte counters are uint64; Number is exact up to 2^53 (8 PiB), far beyond one tunnel's life.
  return Number(value);
}

/** Parse a `get=1` reply; throws UapiError for a non-zero errno. */
export function parseGetReply(text: string, device?: string): UapiDeviceState {
  const state: UapiDeviceState = { hasPrivateKey: false, listenPort: 0, fwmark: 0, peers: [] };
  let peer: UapiPeerState | undefined;
  let lastKey: string | undefined;
  let lastValue: string | undefined;
  forEachEntry(text, (key, value) => {
    lastKey = key;
    lastValue = value;
    if (key === 'public_key') {
      peer = {
        publicKey: hexToKey(value),
        endpoint: null,
        allowedIps: [],
        rxBytes: 0,
        txBytes: 0,
        lastHandshakeSec: 0,
        lastHandshakeNsec: 0,
        persistentKeepalive: 0,
        protocolVersion: 0,
      };
      state.peers.push(peer);
      return;
    }
    if (!peer) {
      if (key === 'private_key') state.hasPrivateKey = /[1-9a-f]/.test(value);
      else if (key === 'listen_port') state.listenPort = uint(key, value);
      else if (key === 'fwmark') state.fwmark = uint(key, value);
      // Unknown device keys are skipped: newer implementations may add some.
      return;
    }
    switch (key) {
      case 'endpoint':
        peer.endpoint = value;
        break;
      case 'allowed_ip':
        peer.allowedIps.push(value);
        break;
      case 'rx_bytes':
        peer.rxBytes = uint(key, value);
        break;
      case 'tx_bytes':
        peer.txBytes = uint(key, value);
        break;
      case 'last_handshake_time_sec':
        peer.lastHandshakeSec = uint(key, value);
        break;
      case 'last_handshake_time_nsec':
        peer.lastHandshakeNsec = uint(key, value);
        break;
      case 'persistent_keepalive_interval':
        peer.persistentKeepalive = uint(key, value);
        break;
      case 'protocol_version':
        peer.protocolVersion = uint(key, value);
        break;
      default:
        // preshared_key (a secret, not kept) and keys newer than this code.
        break;
    }
  });
  // The errno line comes last, after whatever the device had to say (nothing when it failed).
  const errno = errnoOf(lastKey, lastValue);
  if (errno !== 0) throw new UapiError('get', errno, device);
  return state;
}

/** Check a `set=1` reply; throws UapiError for a non-zero errno. */
export function parseSetReply(text: string, device?: string): void {
  const errno = replyErrno(text);
  if (errno !== 0) throw new UapiError('set', errno, device);
}

// ---- client -------------------------------------------------------------------------------------

export interface UapiClientOptions {
  /** Per request, connect to reply. */
  timeoutMs?: number;
  /** Named in errors. */
  device?: string;
}

/** A reply ends with its errno line and a blank line; nothing else in it may contain "\n\n". */
const REPLY_END = /(^|\n)errno=-?\d+\n\n$/;

function connectionError(path: string, error: NodeJS.ErrnoException): UapiConnectionError {
  const code = error.code ?? 'EIO';
  const detail =
    code === 'ENOENT'
      ? 'no such socket (the device is not running)'
      : code === 'ECONNREFUSED'
        ? 'nothing answers on the socket (left over by a device that died)'
        : error.message;
  return new UapiConnectionError(path, code, detail);
}

function closedError(path: string, reply: string): UapiConnectionError {
  return new UapiConnectionError(
    path,
    'EPROTO',
    reply === ''
      ? 'the device closed the connection without a reply (it did not understand the request)'
      : 'the reply was cut short',
  );
}

interface PendingRequest {
  reply: string;
  timer: NodeJS.Timeout;
  resolve(reply: string): void;
  reject(error: Error): void;
}

/**
 * One connection kept open for successive requests, one at a time: wireguard-go answers any number of
 * operations on a connection, and an idle tunnel's counters are read twice a second, where a connection
 * each would cost the helper a socket, a connect and a close per read (issue 13: CPU while idle).
 * A connection the device closed is opened again; a request that fails on a reused connection (the
 * device restarted between reads) is sent once more on a new one, which only idempotent reads may be.
 */
class ReusedConnection {
  private socket: Socket | undefined;
  private connected: Promise<Socket> | undefined;
  private pending: PendingRequest | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly timeoutMs: number,
  ) {}

  request(text: string): Promise<string> {
    const run = this.queue.then(() => this.send(text));
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.closed = true;
    this.drop(new UapiConnectionError(this.path, 'ECANCELED', 'the client was closed'));
  }

  private async send(text: string): Promise<string> {
    const reused = this.socket !== undefined;
    try {
      return await this.exchange(text);
    } catch (error) {
      // A silent device is not asked twice, and a closed client not at all.
      const retry =
        reused &&
        error instanceof UapiConnectionError &&
        error.code !== 'ETIMEDOUT' &&
        error.code !== 'ECANCELED';
      if (!retry) throw error;
      return this.exchange(text);
    }
  }

  private async exchange(text: string): Promise<string> {
    if (this.closed) throw new UapiConnectionError(this.path, 'ECANCELED', 'the client was closed');
    const socket = await this.open();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.drop(new UapiConnectionError(this.path, 'ETIMEDOUT', `no reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending = { reply: '', timer, resolve, reject };
      socket.ref();
      socket.write(text);
    });
  }

  private open(): Promise<Socket> {
    this.connected ??= new Promise<Socket>((resolve, reject) => {
      const socket = createConnection({ path: this.path });
      const timer = setTimeout(() => {
        socket.destroy();
        this.connected = undefined;
        reject(new UapiConnectionError(this.path, 'ETIMEDOUT', `not connected within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      socket.setEncoding('utf8');
      socket.once('connect', () => {
        clearTimeout(timer);
        if (this.closed) {
          // Closed while connecting: nothing will use it.
          socket.destroy();
          this.connected = undefined;
          reject(new UapiConnectionError(this.path, 'ECANCELED', 'the client was closed'));
          return;
        }
        this.socket = socket;
        socket.unref();
        resolve(socket);
      });
      socket.on('data', (chunk: string) => {
        if (this.socket === socket) this.received(chunk);
      });
      socket.on('end', () => this.drop(closedError(this.path, this.pending?.reply ?? ''), socket));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const wrapped = connectionError(this.path, error);
        if (this.socket !== socket) {
          this.connected = undefined;
          reject(wrapped);
        }
        this.drop(wrapped, socket);
      });
    });
    return this.connected;
  }

  private received(chunk: string): void {
    const pending = this.pending;
    if (pending === undefined) {
      // Words nobody asked for: the stream can no longer be trusted to pair requests with replies.
      this.drop(new UapiConnectionError(this.path, 'EPROTO', 'the device sent data nobody asked for'));
      return;
    }
    pending.reply += chunk;
    if (!REPLY_END.test(pending.reply)) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    this.socket?.unref();
    pending.resolve(pending.reply);
  }

  /** Forget the connection (destroyed), failing the request in flight with `error`. */
  private drop(error: UapiConnectionError, only?: Socket): void {
    if (only !== undefined && this.socket !== only) return;
    const { pending, socket } = this;
    this.pending = undefined;
    this.socket = undefined;
    this.connected = undefined;
    socket?.destroy();
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    pending.reject(error);
  }
}

/**
 * Talks to one device's UAPI socket: `get` over one connection kept open (see ReusedConnection),
 * `set` (rare, and carrying keys) over a connection of its own, closed once answered.
 */
export class UapiClient {
  private readonly timeoutMs: number;
  private readonly device: string | undefined;
  private readonly reads: ReusedConnection;

  constructor(
    readonly socketPath: string,
    options: UapiClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.device = options.device;
    this.reads = new ReusedConnection(socketPath, this.timeoutMs);
  }

  async get(): Promise<UapiDeviceState> {
    return parseGetReply(await this.reads.request(GET_REQUEST), this.device);
  }

  async set(set: UapiDeviceSet): Promise<void> {
    parseSetReply(await this.exchange(buildSetRequest(set)), this.device);
  }

  /** Close the connection kept for reads; later calls fail. */
  close(): void {
    this.reads.close();
  }

  /** Send raw request text and return the raw reply (through the terminating blank line). */
  exchange(request: string): Promise<string> {
    const path = this.socketPath;
    return new Promise((resolve, reject) => {
      let reply = '';
      let settled = false;
      const socket = createConnection({ path });
      const finish = (error: Error | undefined): void => {
        if (settled) return;
        settled = true;
        socket.destroy();
        if (error) reject(error);
        else resolve(reply);
      };
      socket.setEncoding('utf8');
      socket.setTimeout(this.timeoutMs, () => {
        finish(new UapiConnectionError(path, 'ETIMEDOUT', `no reply within ${this.timeoutMs} ms`));
      });
      socket.on('connect', () => socket.write(request));
      socket.on('data', (chunk: string) => {
        reply += chunk;
        if (REPLY_END.test(reply)) finish(undefined);
      });
      socket.on('end', () => finish(closedError(path, reply)));
      socket.on('error', (error: NodeJS.ErrnoException) => finish(connectionError(path, error)));
    });
  }
}
