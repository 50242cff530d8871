// The fake OS the engine's tests drive: fake `ip` and `nft` behind one Runner, fake WireGuard devices
// and relays, fake pings, DNS that only remembers, and invariants checked at every moment.
import { relayListSchema, type RelayList, type SluiceSettings, defaultSettings } from '@sluice/api/domain';
import { pino } from 'pino';
import { RecordingRunner } from '../../src/net/exec.js';
import { Firewall } from '../../src/net/firewall.js';
import { generateKeyPair } from '../../src/identity/keys.js';
import { TunnelEngine } from '../../src/tunnel/engine.js';
import type { TunnelState } from '../../src/tunnel/state-machine.js';
import { MemoryDns } from '../support.js';
import { FakeNetwork, FakePinger, type FakeRelay } from './device.js';
import { FakeIp } from './ip.js';
import { FakeNft } from './nft.js';

export { FakeIp } from './ip.js';
export { FakeNft } from './nft.js';
export { FakeNetwork, FakePinger, FakeDevice } from './device.js';

export const TUNNEL_TABLE = '21324';
export const INTERFACE = 'wg-test';

export class FakeOs {
  readonly ip = new FakeIp();
  readonly nft = new FakeNft();
  readonly network = new FakeNetwork(this.ip, this.nft);
  readonly pinger = new FakePinger(this.network);
  readonly dns = new MemoryDns();
  readonly runner = new RecordingRunner((argv, input) => {
    if (argv[0] === 'ip') return this.ip.run(argv.slice(1), input);
    if (argv[0] === 'nft') return this.nft.run(argv.slice(1), input);
    return new Error(`fake OS: ${argv.join(' ')} is not faked`);
  });
  /** Broken invariants, with when they broke; a test expects none. */
  readonly violations: string[] = [];

  constructor() {
    const check = (): void => {
      for (const problem of this.problemsNow()) this.violations.push(problem);
    };
    this.ip.onChange = check;
    this.nft.onChange = check;
  }

  /** What must hold at every moment, whatever the engine is doing. */
  problemsNow(): string[] {
    const problems: string[] = [];
    const routes = this.ip.routesIn(TUNNEL_TABLE);
    const kind = this.nft.kind;
    if (routes.some((r) => r.startsWith('0.0.0.0/0') || r.startsWith('::/0')) && kind !== 'connected')
      problems.push(`a default route into the tunnel under the ${kind} policy`);
    const ours = this.ip.rules[4].length + this.ip.rules[6].length + routes.length;
    if (ours > 0 && kind === 'none')
      problems.push(`routing of ours (${ours} rules/routes) with no firewall table`);
    return problems;
  }

  /** The system as a whole, to compare before and after a tunnel. */
  snapshot(): unknown {
    return {
      ip: this.ip.snapshot(),
      nft: this.nft.kind,
      dns: this.dns.applied ?? null,
      devices: this.network.devices.size,
    };
  }

  addRelays(count: number): FakeRelay[] {
    const relays: FakeRelay[] = [];
    for (let i = 1; i <= count; i++) {
      const relay = { hostname: `r${i}-x-wg-00${i}`, endpoint: `203.0.113.${i + 1}:51820`, alive: true };
      this.network.relays.set(relay.hostname, relay);
      relays.push(relay);
    }
    return relays;
  }

  /** A relay list with every fake relay, one city each (country `c<i>`, city `x<i>`). */
  relayList(): RelayList {
    return relayListSchema.parse({
      wireguard: { ipv4Gateway: '10.64.0.1', ipv6Gateway: 'fc00:bbbb::1' },
      countries: [...this.network.relays.values()].map((relay, i) => ({
        code: `c${i + 1}`,
        name: `Country ${i + 1}`,
        cities: [
          {
            code: `x${i + 1}`,
            name: `City ${i + 1}`,
            relays: [
              {
                hostname: relay.hostname,
                ipv4AddrIn: relay.endpoint.split(':')[0],
                publicKey: generateKeyPair().publicKey,
                port: 51820,
              },
            ],
          },
        ],
      })),
    });
  }
}

export interface Published {
  state: TunnelState;
  reason: string;
  /** The policy in force when the state was published. */
  policy: string;
  /** What the disconnected state should hold at that moment (lockdown blocks). */
  idle: 'none' | 'blocked';
  relayAllowed: string | undefined;
}

/** The real engine on the fake OS, with settings that can change and every publication recorded. */
export class EngineOnFakeOs {
  readonly os = new FakeOs();
  readonly published: Published[] = [];
  settings: SluiceSettings = defaultSettings();
  readonly engine: TunnelEngine;
  readonly firewall: Firewall;
  private routeChange: ((line: string) => void) | undefined;
  /** Set while shutting down with blocking kept. */
  stopping = false;
  private list: RelayList;
  readonly identity = { ...generateKeyPair(), addresses: ['10.64.0.2/32', 'fc00:bbbb::2/128'] };

  constructor(relays = 3, random: () => number = Math.random) {
    this.os.addRelays(relays);
    this.list = this.os.relayList();
    this.firewall = new Firewall(this.os.runner);
    this.engine = new TunnelEngine({
      interfaceName: INTERFACE,
      log: pino({ level: 'silent' }),
      runner: this.os.runner,
      settings: () => this.settings,
      relays: { current: () => ({ list: this.list, presharedKeys: {} }) },
      identity: {
        current: () => ({ publicKey: this.identity.publicKey, addresses: this.identity.addresses }),
        privateKeyForDevice: () => this.identity.privateKey,
      },
      dns: this.os.dns,
      pinger: this.os.pinger,
      openDevice: (name) => this.os.network.open(name),
      watchDefaultRoute: (onChange) => {
        this.routeChange = onChange;
        return { stop: () => (this.routeChange = undefined) };
      },
      random,
      firewall: this.firewall,
      onState: (state, reason) =>
        this.published.push({
          state,
          reason,
          policy: this.os.nft.kind,
          idle: this.settings.lockdownMode || this.stopping ? 'blocked' : 'none',
          relayAllowed: this.os.nft.relayAllowed(),
        }),
    });
    // As the helper does at start: the idle policy, published.
    this.engine.start(false);
  }

  setSettings(change: (s: SluiceSettings) => SluiceSettings): void {
    const before = this.settings;
    this.settings = change(before);
    this.engine.settingsChanged(before, this.settings);
  }

  networkChanged(): void {
    this.routeChange?.('default via 198.51.100.1 dev eth1');
  }

  relayHostnames(): string[] {
    return [...this.os.network.relays.keys()];
  }

  /** Country and city of a relay in the fake list. */
  locationOf(hostname: string): { country: string; city: string } {
    const index = this.relayHostnames().indexOf(hostname) + 1;
    return { country: `c${index}`, city: `x${index}` };
  }

  /** The relay the fake tunnel really goes to (its device's peer), if a device is up. */
  deviceEndpoint(): string | undefined {
    const [device] = this.os.network.devices;
    return device?.config?.peer.endpoint;
  }

  /**
   * What must hold whenever a state is published: the policy it claims is the one in force
   * (checked against the policy recorded at that moment).
   */
  publicationProblems(): string[] {
    const problems: string[] = [];
    for (const [i, p] of this.published.entries()) {
      const { state, policy } = p;
      const at = `#${i} ${state.kind} (${p.reason})`;
      switch (state.kind) {
        case 'disconnected':
          if (policy !== p.idle) problems.push(`${at}: policy ${policy}, expected ${p.idle}`);
          break;
        case 'connecting':
          if (policy !== 'blocked' && policy !== 'connecting') problems.push(`${at}: policy ${policy}`);
          if (state.relay && policy === 'connecting' && p.relayAllowed !== state.relay.endpoint)
            problems.push(
              `${at}: connecting to ${state.relay.endpoint} but the firewall allows ${String(p.relayAllowed)}`,
            );
          break;
        case 'connected':
          if (policy !== 'connected' || p.relayAllowed !== state.relay.endpoint)
            problems.push(
              `${at}: policy ${policy} to ${String(p.relayAllowed)}, relay ${state.relay.endpoint}`,
            );
          break;
        case 'disconnecting':
          break;
        case 'error':
          if (state.blocking && policy !== 'blocked') problems.push(`${at}: blocking error under ${policy}`);
          break;
      }
    }
    return problems;
  }
}
