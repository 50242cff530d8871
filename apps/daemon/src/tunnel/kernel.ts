// The kernel WireGuard backend: `ip link add … type wireguard`, configured with `wg setconf` reading the
// configuration from a private named pipe (the private key never appears in an argv or a file; see
// secret-pipe.ts for why not stdin) and read with `wg show … dump`. Every program runs through the Runner.
// The connectivity monitor reads a tunnel twice a second: its byte counters come from /proc/net/dev (a
// file read), and `wg show … dump` runs at most every DUMP_REFRESH_MS for the handshake and endpoint
// (a process twice a second was most of an idle helper's CPU on a desktop with the kernel module).
import { readFile } from 'node:fs/promises';
import type { Runner } from '../net/exec.js';
import { handshakeAgeMs, validateDeviceConfig, type DeviceConfig } from './config.js';
import { runWithSecretPipe } from './secret-pipe.js';
import type { DeviceEvent, WireGuardDevice } from './device.js';
import { summarizeStats, type DeviceStats, type PeerStats } from './stats.js';

/** `wg setconf` text for a configuration (already validated). */
export function buildWgConfig(config: DeviceConfig): string {
  const lines = ['[Interface]', `PrivateKey = ${config.privateKey}`];
  if (config.listenPort !== undefined) lines.push(`ListenPort = ${config.listenPort}`);
  lines.push(`FwMark = ${config.fwmark === 0 ? 'off' : String(config.fwmark)}`);
  const { peer } = config;
  lines.push('', '[Peer]', `PublicKey = ${peer.publicKey}`, `Endpoint = ${peer.endpoint}`);
  if (peer.presharedKey !== undefined) lines.push(`PresharedKey = ${peer.presharedKey}`);
  if (peer.allowedIps.length > 0) lines.push(`AllowedIPs = ${peer.allowedIps.join(', ')}`);
  if (peer.persistentKeepalive !== undefined) {
    lines.push(
      `PersistentKeepalive = ${peer.persistentKeepalive === 0 ? 'off' : String(peer.persistentKeepalive)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function dumpNumber(field: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new Error(`wg show dump: ${field} "${value ?? ''}" is not a number`);
  return Number(value);
}

/**
 * Parse `wg show <if> dump`: a device line (private key, public key, listen port, fwmark) then one
 * tab-separated line per peer (public key, preshared key, endpoint, allowed IPs, latest handshake
 * seconds, rx, tx, keepalive). The device line's private key is skipped, never kept.
 */
export function parseWgDump(text: string, nowMs: number): DeviceStats {
  const [deviceLine, ...peerLines] = text.split('\n').filter((l) => l.trim() !== '');
  const device = deviceLine?.split('\t');
  if (device?.length !== 4) throw new Error('wg show dump: the first line does not describe a device');
  const listenPort = dumpNumber('listen port', device[2]);
  const fwmark = device[3] === 'off' ? 0 : Number.parseInt(device[3] ?? '', 16);
  if (Number.isNaN(fwmark)) throw new Error(`wg show dump: fwmark "${device[3] ?? ''}" is not hex`);
  const peers = peerLines.map((entry): PeerStats => {
    const f = entry.split('\t');
    if (f.length !== 8) throw new Error(`wg show dump: a peer line has ${f.length} fields, expected 8`);
    const [publicKey = '', , endpoint = '', allowedIps = '', handshake, rx, tx] = f;
    return {
      publicKey,
      endpoint: endpoint === '(none)' ? null : endpoint,
      allowedIps: allowedIps === '(none)' ? [] : allowedIps.split(','),
      rxBytes: dumpNumber('transfer-rx', rx),
      txBytes: dumpNumber('transfer-tx', tx),
      lastHandshakeAgeMs: handshakeAgeMs(dumpNumber('latest handshake', handshake), 0, nowMs),
    };
  });
  return summarizeStats(listenPort, fwmark, peers);
}

/** An interface's byte counters as the kernel counts them (packets inside the tunnel). */
export interface InterfaceCounters {
  rxBytes: number;
  txBytes: number;
}

/**
 * The counters of `name` in a /proc/net/dev text (two header lines, then `name: rx-bytes packets … (8
 * receive fields) tx-bytes …`); undefined when the interface is not listed.
 */
export function parseProcNetDev(text: string, name: string): InterfaceCounters | undefined {
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() !== name) continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const rx = fields[0];
    const tx = fields[8];
    if (rx === undefined || tx === undefined || !/^\d+$/.test(rx) || !/^\d+$/.test(tx))
      throw new Error(`/proc/net/dev: the line of ${name} does not have its byte counters`);
    return { rxBytes: Number(rx), txBytes: Number(tx) };
  }
  return undefined;
}

/** How old the handshake and endpoint from `wg show … dump` may get between reads of the counters. */
export const DUMP_REFRESH_MS = 5_000;

/** /proc/net/dev of the helper's own network namespace, where it made the link. */
function readOwnProcNetDev(): Promise<string> {
  return readFile('/proc/self/net/dev', 'utf8');
}

/** `ip link add … type wireguard` failed: no kernel module (or not allowed). */
export class KernelUnavailableError extends Error {
  override readonly name = 'KernelUnavailableError';
}

export interface KernelDeviceOptions {
  now?: () => number;
  /** Where the private directory for the configuration pipe is made (default: the OS temp dir). */
  secretDir?: string;
  /**
   * /proc/net/dev of the namespace the link is in (default: the helper's own). None: every read runs
   * `wg show … dump`, as when the link is in another namespace (the integration test drives one so).
   */
  procNetDev?: (() => Promise<string>) | null;
}

export class KernelDevice implements WireGuardDevice {
  readonly backend = 'kernel';
  private readonly now: () => number;
  private readonly secretDir: string | undefined;
  private readonly procNetDev: (() => Promise<string>) | null;
  /** The last `wg show … dump`, for the reads between dumps. */
  private lastDump: { atMs: number; stats: DeviceStats } | undefined;
  private closed = false;

  /**
   * Wraps an existing WireGuard link. (Through `wg`, this also drives a wireguard-go interface, which is
   * how it is integration-tested where there is no kernel module.)
   */
  constructor(
    private readonly runner: Runner,
    readonly name: string,
    options: KernelDeviceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.secretDir = options.secretDir;
    this.procNetDev = options.procNetDev === undefined ? readOwnProcNetDev : options.procNetDev;
  }

  /** Create the link; KernelUnavailableError (with ip's message) when the kernel cannot. */
  static async create(
    runner: Runner,
    name: string,
    options: KernelDeviceOptions = {},
  ): Promise<KernelDevice> {
    try {
      await runner.run(['ip', 'link', 'add', 'dev', name, 'type', 'wireguard']);
    } catch (error) {
      throw new KernelUnavailableError(error instanceof Error ? error.message : String(error));
    }
    return new KernelDevice(runner, name, options);
  }

  async configure(config: DeviceConfig): Promise<void> {
    const checked = validateDeviceConfig(config);
    await runWithSecretPipe(
      this.runner,
      buildWgConfig(checked),
      (path) => ['wg', 'setconf', this.name, path],
      this.secretDir === undefined ? {} : { dir: this.secretDir },
    );
    // Another peer (a relay switch) has another endpoint and handshake.
    this.lastDump = undefined;
  }

  /**
   * The handshake age and endpoint from a dump at most DUMP_REFRESH_MS old (the age moved on by the time
   * since: a newer handshake shows within that time, far inside the 195 s that makes a tunnel dead; one
   * made before any handshake, or before the last configure(), is not used again), and
   * the bytes from /proc/net/dev when the link is listed there. Those count the tunnel's inner packets,
   * always, so the totals never jump between the two sources; without them the dump's are given.
   */
  async stats(): Promise<DeviceStats> {
    const counters = await this.interfaceCounters();
    const now = this.now();
    let dump = this.lastDump;
    if (
      counters === undefined ||
      dump === undefined ||
      now - dump.atMs >= DUMP_REFRESH_MS ||
      // Waiting for the first handshake (connecting): it must show as soon as it happens.
      dump.stats.lastHandshakeAgeMs === null
    ) {
      const { stdout } = await this.runner.run(['wg', 'show', this.name, 'dump']);
      dump = { atMs: now, stats: parseWgDump(stdout, now) };
      this.lastDump = dump;
    }
    const { stats, atMs } = dump;
    const since = now - atMs;
    const peers = stats.peers.map((peer) => ({
      ...peer,
      lastHandshakeAgeMs: peer.lastHandshakeAgeMs === null ? null : peer.lastHandshakeAgeMs + since,
    }));
    const totals = summarizeStats(stats.listenPort, stats.fwmark, peers);
    return counters === undefined ? totals : { ...totals, ...counters };
  }

  private async interfaceCounters(): Promise<InterfaceCounters | undefined> {
    if (this.procNetDev === null) return undefined;
    try {
      return parseProcNetDev(await this.procNetDev(), this.name);
    } catch {
      // Unreadable or not as expected: the dump's counters then, as before there were these.
      return undefined;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Exit code 1: already gone (someone else deleted it); closing is idempotent.
    await this.runner.run(['ip', 'link', 'delete', 'dev', this.name], { okCodes: [1] });
    this.closed = true;
  }

  onEvent(_listener: (event: DeviceEvent) => void): () => void {
    // A kernel link does not die with a process; its removal is seen by the connectivity monitor.
    return () => undefined;
  }
}
