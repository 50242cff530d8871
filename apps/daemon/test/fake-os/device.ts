// A fake WireGuard device and the relays it talks to. The device makes its link in the fake `ip`
// when opened and removes it when closed; a handshake happens only while the link is up, the peer
// is a live relay, and the firewall in force lets the WireGuard socket reach that relay. Received
// bytes grow with every answered ping, as on the real thing.
import type { DeviceConfig } from '../../src/tunnel/config.js';
import type { DeviceEvent, DeviceStats, WireGuardDevice } from '../../src/tunnel/device.js';
import type { Pinger, PingOptions } from '../../src/tunnel/connectivity/pinger.js';
import type { FakeIp } from './ip.js';

export interface FakeRelay {
  hostname: string;
  endpoint: string;
  alive: boolean;
}

/** What the firewall in force lets through, as the fake nft reports it. */
export interface FirewallView {
  /** The relay endpoint `ip:port` the WireGuard socket may reach, if any. */
  relayAllowed(): string | undefined;
  /** Whether packets may leave through the tunnel interface to `target` (a ping or traffic). */
  tunnelAllowed(interfaceName: string, target: string): boolean;
}

export class FakeNetwork {
  readonly relays = new Map<string, FakeRelay>();
  readonly devices = new Set<FakeDevice>();
  /** Largest packet (inside the tunnel) that crosses the path; larger ones vanish. */
  pathMtu = 1420;
  /** The next device open fails with this message (once). */
  failNextOpen: string | undefined;

  constructor(
    readonly ip: FakeIp,
    readonly firewall: FirewallView,
  ) {}

  relayAt(endpoint: string): FakeRelay | undefined {
    return [...this.relays.values()].find((r) => r.endpoint === endpoint);
  }

  open(name: string): Promise<FakeDevice> {
    if (this.failNextOpen !== undefined) {
      const message = this.failNextOpen;
      this.failNextOpen = undefined;
      return Promise.reject(new Error(message));
    }
    // As wireguard-go does: a link of the name left behind is removed first.
    if (this.ip.links.has(name)) this.ip.deleteLink(name);
    this.ip.addLink(name, 1420);
    const device = new FakeDevice(name, this);
    this.devices.add(device);
    return Promise.resolve(device);
  }
}

export class FakeDevice implements WireGuardDevice {
  readonly backend = 'wireguard-go';
  config: DeviceConfig | undefined;
  rxBytes = 0;
  txBytes = 0;
  private handshakeAt: number | undefined;
  closed = false;
  private readonly listeners = new Set<(event: DeviceEvent) => void>();

  constructor(
    readonly name: string,
    private readonly network: FakeNetwork,
  ) {}

  configure(config: DeviceConfig): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the device is closed'));
    this.config = config;
    this.handshakeAt = undefined;
    this.tryHandshake();
    return Promise.resolve();
  }

  /** A handshake happens when the link is up, the relay lives and the firewall lets us reach it. */
  tryHandshake(): boolean {
    const endpoint = this.config?.peer.endpoint;
    const link = this.network.ip.links.get(this.name);
    if (this.closed || !endpoint || !link?.up) return false;
    if (!this.network.relayAt(endpoint)?.alive) return false;
    if (this.network.firewall.relayAllowed() !== endpoint) return false;
    // WireGuard makes a new handshake every 2 minutes while packets flow.
    if (this.handshakeAt === undefined || Date.now() - this.handshakeAt > 120_000)
      this.handshakeAt = Date.now();
    this.rxBytes += 92;
    this.txBytes += 148;
    return true;
  }

  stats(): Promise<DeviceStats> {
    if (this.closed) return Promise.reject(new Error(`${this.name}: no such device`));
    const age = this.handshakeAt === undefined ? null : Math.max(0, Date.now() - this.handshakeAt);
    return Promise.resolve({
      listenPort: 51000,
      fwmark: this.config?.fwmark ?? 0,
      rxBytes: this.rxBytes,
      txBytes: this.txBytes,
      lastHandshakeAgeMs: age,
      peers: [],
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.network.devices.delete(this);
    if (this.network.ip.links.has(this.name)) this.network.ip.deleteLink(this.name);
    return Promise.resolve();
  }

  onEvent(listener: (event: DeviceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The process died and came back: a new link (no addresses, down), the old configuration. */
  restart(): void {
    if (this.closed) return;
    this.emit({ type: 'lost', reason: 'wireguard-go was killed by SIGKILL' });
    if (this.network.ip.links.has(this.name)) this.network.ip.deleteLink(this.name);
    this.network.ip.addLink(this.name, 1420);
    this.handshakeAt = undefined;
    this.emit({ type: 'restored', reconfigured: true });
  }

  /** The supervisor gave up restarting it (its earlier `lost` events are not repeated here). */
  fail(): void {
    if (this.closed) return;
    this.emit({ type: 'failed', reason: 'wireguard-go failed 6 times within 60000 ms' });
  }

  private emit(event: DeviceEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}

/**
 * Pings through a fake device: answered (after a millisecond) when the tunnel really works — a live
 * relay, a handshake, a route to the target through the link, the firewall letting the ping out and
 * the packet small enough for the path — otherwise nothing comes back before the timeout.
 */
export class FakePinger implements Pinger {
  pings = 0;

  constructor(private readonly network: FakeNetwork) {}

  ping(interfaceName: string, target: string, options: PingOptions): Promise<boolean> {
    this.pings++;
    const device = [...this.network.devices].find((d) => d.name === interfaceName);
    const routed = [...this.network.ip.routes.values()].some((set) =>
      [...set].some(
        (r) =>
          r.endsWith(`dev ${interfaceName}`) &&
          (r.startsWith(`${target}/`) || r.startsWith('0.0.0.0/0') || r.startsWith('::/0')),
      ),
    );
    const fits = (options.size ?? 84) <= this.network.pathMtu;
    const answered =
      device !== undefined &&
      routed &&
      fits &&
      this.network.firewall.tunnelAllowed(interfaceName, target) &&
      device.tryHandshake();
    return new Promise((resolve) => {
      // As a real ping's child process: the abort listener lives only as long as the ping.
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(
        () => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve(answered);
        },
        answered ? 1 : options.timeoutMs,
      );
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
