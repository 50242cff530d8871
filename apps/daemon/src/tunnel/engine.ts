// The tunnel engine: carries out what the state machine decides. One attempt at a time, in small
// named steps (pick a relay, create the device, configure it, route, verify, default route, DNS), each
// undone when a later one fails or the user cancels; a connected tunnel is watched and replaced when it
// dies or the network changes.
import type { RelayList, SluiceSettings } from '@sluice/api/domain';
import type { Logger } from 'pino';
import type { Runner } from '../net/exec.js';
import type { DnsBackend } from '../net/dns/index.js';
import { linkMtuToward, probeFits, searchPathMtu, tunnelMtu } from '../net/mtu.js';
import {
  defaultRouteSteps,
  staleRoutingSteps,
  TUNNEL_FWMARK,
  tunnelUpSteps,
  type Family,
  type TunnelRouting,
} from '../net/routing.js';
import { applySteps, StepError, undoSteps, type Step } from '../net/steps.js';
import type { Firewall } from '../net/firewall.js';
import type { FirewallPolicy } from '../net/firewall-rules.js';
import { NoMatchingRelayError, selectRelay, type RelaySelection } from '../relays/select.js';
import { removeLinkIfPresent } from './link.js';

import type { PresharedKeys } from '../relays/sluice-json.js';
import type { DeviceStats, WireGuardDevice } from './device.js';
import { LivenessTracker } from './liveness.js';
import {
  attemptTimeoutMs,
  transition,
  type Effect,
  type ErrorCause,
  type RelaySummary,
  type TunnelEvent,
  type TunnelState,
} from './state-machine.js';

export interface IdentitySource {
  current(): { publicKey: string; addresses: string[] };
  privateKeyForDevice(): string;
}

export interface RelaySource {
  current(): { list: RelayList; presharedKeys: PresharedKeys };
}

export interface EngineDeps {
  interfaceName: string;
  log: Logger;
  runner: Runner;
  settings: () => SluiceSettings;
  relays: RelaySource;
  identity: IdentitySource;
  dns: DnsBackend;
  openDevice: (name: string) => Promise<WireGuardDevice>;
  /** A long-running `ip monitor` of the main table's default routes; calls back on each change. */
  watchDefaultRoute?: (onChange: (line: string) => void) => { stop(): void };
  random?: () => number;
  /** Called on every state change with the new state and the reason. */
  onState: (state: TunnelState, reason: string) => void;
  onUnexpectedDisconnect?: (message: string) => void;
  /** The kill switch; without one (no nftables) nothing claims to block. */
  firewall?: Firewall;
  /** The user asked for the tunnel (connect) or not (disconnect): persisted so restarts honour it. */
  onTargetChange?: (secured: boolean) => void;
}

/** What the firewall needs to know about the current attempt, set once a relay is chosen. */
interface SecuredPath {
  relay: { address: string; port: number };
  gateways: string[];
  families: Family[];
  tunnelAddresses: string[];
  dnsServers: string[];
}

/** The live tunnel: what was set up, so exactly that is taken down. */
interface Session {
  device?: WireGuardDevice;
  steps: Step[];
  dnsApplied: boolean;
  selection?: RelaySelection;
  secured?: SecuredPath;
  routing?: TunnelRouting;
  stopDeviceEvents?: () => void;
}

export interface TunnelInfo {
  interfaceName: string;
  mtu: number;
  addresses: string[];
  stats: DeviceStats;
}

class AttemptCancelled extends Error {
  override readonly name = 'AttemptCancelled';
}

/** A failure with the error cause the user sees, and whether another attempt may help. */
class AttemptFailure extends Error {
  override readonly name = 'AttemptFailure';
  constructor(
    override readonly cause: ErrorCause,
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

const MONITOR_INTERVAL_MS = 1_000;
const KEEPALIVE_SECONDS = 25;

export class TunnelEngine {
  private model: TunnelState = { kind: 'disconnected' };
  private session: Session = { steps: [], dnsApplied: false };
  /** Incremented to cancel the attempt in flight; an attempt checks it between steps. */
  private attemptToken = 0;
  private attemptRunning: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private monitorTimer: NodeJS.Timeout | undefined;
  private routeWatch: { stop(): void } | undefined;
  private work: Promise<void> = Promise.resolve();
  /** The firewall policy job of the latest state change (published states wait for it). */
  private firewallJob: Promise<void> = Promise.resolve();
  /** False after a policy failed to apply, until one applies again. */
  private firewallHolds = true;
  /** Shutting down with the tunnel wanted (or lockdown): the idle policy stays blocked. */
  private shuttingDownBlocked = false;
  /** The backend of the last device made, for GetVersion. */
  private lastBackend: string | undefined;
  /** The relay of the attempt in flight, so a failure can say which relay to avoid next. */
  private lastTried: string | undefined;

  constructor(private readonly deps: EngineDeps) {}

  get state(): TunnelState {
    return this.model;
  }

  private currentState(): TunnelState {
    return this.model;
  }

  /** Remove what a helper that died with a tunnel up left behind (rules, routes, DNS). */
  /**
   * Remove what a helper that died with a tunnel up left behind: its device (an orphaned wireguard-go
   * keeps running), rules, routes and DNS. The firewall is not touched here: it stays closed until the
   * caller applies the policy for the new state.
   */
  async recover(): Promise<void> {
    const { runner, log, dns } = this.deps;
    if (await removeLinkIfPresent(runner, this.deps.interfaceName).catch(() => false)) {
      log.warn({ interface: this.deps.interfaceName }, 'removed a tunnel device left by a previous run');
    }
    for (const step of await staleRoutingSteps(runner).catch(() => [])) {
      await applySteps(runner, [step]).catch((error: unknown) =>
        log.warn({ err: error }, 'could not remove stale routing'),
      );
    }
    await dns
      .recover()
      .catch((error: unknown) => log.warn({ err: error }, 'could not restore DNS left by a previous run'));
  }

  /** Apply the firewall policy of the current state (at start-up, and when its options change). */
  refreshFirewall(): Promise<void> {
    return new Promise((resolve) => {
      void this.enqueue(async () => {
        await this.secureOrReport(this.policyFor(this.model.kind));
        resolve();
      });
    });
  }

  /** True when the firewall blocks everything outside the tunnel in the current state. */
  get lockedDown(): boolean {
    return (
      this.deps.firewall !== undefined &&
      this.firewallHolds &&
      this.policyFor(this.model.kind).kind !== 'none'
    );
  }

  /** The backend of the last device made ('kernel' or 'wireguard-go'), once one was. */
  get wireguardBackend(): string | undefined {
    return this.lastBackend;
  }

  /** The firewall policy the current state calls for (what the leak self-test checks against). */
  intendedPolicy(): FirewallPolicy {
    return this.policyFor(this.model.kind);
  }

  /** The resolvers DNS should go to now: the tunnel's when connected, else none of ours. */
  intendedDnsServers(): string[] | undefined {
    return this.model.kind === 'connected' ? this.session.secured?.dnsServers : undefined;
  }

  /** The relay's address while connected. */
  relayAddress(): string | undefined {
    return this.model.kind === 'connected' ? this.session.selection?.address : undefined;
  }

  connect(): boolean {
    this.deps.onTargetChange?.(true);
    return this.dispatch({ type: 'connect' });
  }

  disconnect(): boolean {
    this.deps.onTargetChange?.(false);
    return this.dispatch({ type: 'disconnect' });
  }

  reconnect(): boolean {
    return this.dispatch({ type: 'reconnect' });
  }

  /**
   * Take the tunnel down and wait until it is (helper shutdown). With `keepBlocking` (the user wants the
   * tunnel, or lockdown is on) the firewall stays closed after the helper exits, so an upgrade or a
   * restart does not leak.
   */
  async shutdown(keepBlocking: boolean): Promise<void> {
    this.shuttingDownBlocked = keepBlocking;
    this.dispatch({ type: 'disconnect' });
    await this.settled();
    this.routeWatch?.stop();
  }

  /** The policy for a state kind, with what the current attempt has chosen. */
  private policyFor(kind: TunnelState['kind']): FirewallPolicy {
    const settings = this.deps.settings();
    const options = { allowLan: settings.allowLan, bypassRanges: settings.bypassRanges };
    const blocked: FirewallPolicy = { kind: 'blocked', ...options };
    const path = this.session.secured;
    const tunnelInterface = this.deps.interfaceName;
    switch (kind) {
      case 'disconnected':
        return settings.lockdownMode || this.shuttingDownBlocked ? blocked : { kind: 'none' };
      case 'connecting':
        return path
          ? {
              kind: 'connecting',
              relay: path.relay,
              fwmark: TUNNEL_FWMARK,
              tunnelInterface,
              gateways: path.gateways,
              ...options,
            }
          : blocked;
      case 'connected':
        return path
          ? {
              kind: 'connected',
              relay: path.relay,
              fwmark: TUNNEL_FWMARK,
              tunnelInterface,
              tunnelAddresses: path.tunnelAddresses,
              dnsServers: path.dnsServers,
              families: path.families,
              ...options,
            }
          : blocked;
      case 'disconnecting':
      case 'error':
        return blocked;
    }
  }

  private async secure(policy: FirewallPolicy): Promise<void> {
    try {
      await this.deps.firewall?.apply(policy);
      this.firewallHolds = true;
    } catch (error) {
      this.firewallHolds = false;
      throw error;
    }
  }

  /** Outside an attempt: a policy that cannot be applied becomes an error state, never a silent log. */
  private async secureOrReport(policy: FirewallPolicy): Promise<void> {
    try {
      await this.secure(policy);
    } catch (error) {
      const message = `the firewall could not be set: ${error instanceof Error ? error.message : String(error)}`;
      this.deps.log.error({ err: error, policy: policy.kind }, 'could not apply the firewall policy');
      this.dispatch({ type: 'firewall-failed', message });
    }
  }

  /** In an attempt: a firewall that cannot be set is not worth retrying. */
  private async secureOrFail(policy: FirewallPolicy): Promise<void> {
    try {
      await this.secure(policy);
    } catch (error) {
      throw new AttemptFailure('firewall', error instanceof Error ? error.message : String(error), false);
    }
  }

  /** Resolves when no attempt or tear-down is in flight. */
  async settled(): Promise<void> {
    for (;;) {
      const work = this.work;
      const attempt = this.attemptRunning;
      await Promise.all([work, attempt]);
      if (work === this.work && attempt === this.attemptRunning) return;
    }
  }

  /** Live details of the connected tunnel, or undefined. */
  async tunnelInfo(): Promise<TunnelInfo | undefined> {
    const { device, routing } = this.session;
    if (this.model.kind !== 'connected' || !device || !routing) return undefined;
    const stats = await device.stats().catch(() => undefined);
    if (!stats) return undefined;
    return { interfaceName: device.name, mtu: routing.mtu, addresses: routing.addresses, stats };
  }

  /** Feed an event to the state machine and run its effects; true when the state changed. */
  private dispatch(event: TunnelEvent): boolean {
    const before = this.model;
    const next = transition(before, event, { canBlock: this.deps.firewall !== undefined });
    this.model = next.state;
    const changed = next.state !== before;
    // Leaving a secured state: block first (queued before any tear-down); arriving disconnected, open
    // up (or stay blocked under lockdown). Connecting and connected are secured by the attempt itself.
    const kind = next.state.kind;
    if (
      changed &&
      (kind === 'disconnecting' ||
        kind === 'disconnected' ||
        kind === 'error' ||
        (kind === 'connecting' && before.kind !== 'connecting'))
    ) {
      this.firewallJob = this.enqueue(() => this.secureOrReport(this.policyFor(kind)));
    }
    if (changed) {
      this.deps.log.info({ state: next.state.kind, event: event.type, reason: next.reason }, 'tunnel state');
      this.deps.onState(next.state, next.reason);
    }
    for (const effect of next.effects) this.run(effect);
    if (next.state.kind === 'connected' && before.kind !== 'connected') this.startMonitor();
    if (next.state.kind !== 'connected') this.stopMonitor();
    return changed;
  }

  private run(effect: Effect): void {
    switch (effect.type) {
      case 'start-attempt':
        this.startAttempt(effect.attempt, effect.avoid);
        return;
      case 'retry-after':
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.startAttempt(effect.attempt, effect.avoid), effect.delayMs);
        return;
      case 'cancel-attempt':
        clearTimeout(this.retryTimer);
        this.attemptToken++;
        return;
      case 'tear-down':
        void this.enqueue(async () => {
          await this.attemptRunning;
          await this.tearDown();
          this.dispatch({ type: 'torn-down' });
        });
        return;
      case 'notify-unexpected-disconnect':
        this.deps.onUnexpectedDisconnect?.(effect.message);
        return;
    }
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.work = this.work
      .then(job)
      .catch((error: unknown) => this.deps.log.error({ err: error }, 'tunnel engine job failed'));
    return this.work;
  }

  /**
   * Resolves once the firewall policy of the latest state change is in place. The helper publishes a
   * state only after this, so a client that sees "connecting" or "disconnecting" knows traffic is
   * already blocked.
   */
  firewallSettled(): Promise<void> {
    return this.firewallJob;
  }

  private startAttempt(attempt: number, avoid: string[]): void {
    const token = ++this.attemptToken;
    const previous = this.attemptRunning;
    this.attemptRunning = (async () => {
      // Earlier work (a tear-down, a cancelled attempt unwinding) finishes first.
      await previous;
      await this.work;
      if (token !== this.attemptToken) return;
      try {
        const relay = await this.attempt(token, attempt, avoid);
        if (token !== this.attemptToken) {
          await this.tearDown();
          return;
        }
        this.dispatch({ type: 'attempt-succeeded', relay });
        if (this.deps.settings().tunnel.mtu === null) void this.enqueue(() => this.discoverPathMtu(token));
      } catch (error) {
        await this.tearDown();
        if (error instanceof AttemptCancelled || token !== this.attemptToken) return;
        const failure =
          error instanceof AttemptFailure
            ? error
            : new AttemptFailure(
                error instanceof StepError ? 'routing' : 'tunnel-setup',
                error instanceof Error ? error.message : String(error),
                true,
              );
        this.deps.log.warn(
          { attempt, relay: this.session.selection?.relay.hostname, err: failure.message },
          'connection attempt failed',
        );
        this.dispatch({
          type: 'attempt-failed',
          cause: failure.cause,
          message: failure.message,
          retry: failure.retry,
          ...(this.lastTried ? { relay: this.lastTried } : {}),
        });
      }
    })();
  }

  /** One connection attempt; returns the relay once the tunnel is verified and carries all traffic. */
  private async attempt(token: number, attempt: number, avoid: string[]): Promise<RelaySummary> {
    const { deps } = this;
    const check = (): void => {
      if (token !== this.attemptToken) throw new AttemptCancelled('cancelled');
    };
    const settings = deps.settings();
    const { list, presharedKeys } = deps.relays.current();
    let selection: RelaySelection;
    try {
      selection = selectRelay(
        list,
        {
          constraints: settings.relayConstraints,
          wireguardPort: settings.tunnel.wireguardPort,
          attempt: attempt - 1,
          avoid,
          presharedKeys,
        },
        deps.random ?? Math.random,
      );
    } catch (error) {
      if (error instanceof NoMatchingRelayError) throw new AttemptFailure('no-relay', error.message, false);
      throw error;
    }
    this.lastTried = selection.relay.hostname;
    const summary = relaySummary(selection);
    this.session = { steps: [], dnsApplied: false, selection };
    this.dispatch({ type: 'relay-selected', relay: summary });

    const identity = deps.identity.current();
    if (identity.addresses.length === 0) {
      throw new AttemptFailure(
        'no-identity',
        'this device has no tunnel addresses; import a wg-quick config with `sluice import` or set them with the API',
        false,
      );
    }
    const families = tunnelFamilies(identity.addresses, selection, settings.tunnel.enableIpv6);
    const gateways = selection.inTunnelResolvers.filter((address) =>
      families.includes(address.includes(':') ? 6 : 4),
    );
    if (gateways.length === 0)
      throw new AttemptFailure(
        'tunnel-setup',
        `${selection.relay.hostname} has no in-tunnel gateway address to verify the tunnel with`,
        false,
      );

    // Close everything but the way to this relay before a single packet of the tunnel exists.
    const servers = settings.dns.mode === 'custom' ? settings.dns.customServers : gateways;
    this.session.secured = {
      relay: { address: selection.address, port: selection.port },
      gateways,
      families,
      tunnelAddresses: identity.addresses,
      dnsServers: servers,
    };
    await this.secureOrFail(this.policyFor('connecting'));
    check();

    const device = await deps.openDevice(deps.interfaceName);
    this.session.device = device;
    this.lastBackend = device.backend;

    this.session.stopDeviceEvents = device.onEvent((event) => {
      if (event.type === 'lost' && this.model.kind === 'connected') {
        this.dispatch({
          type: 'tunnel-lost',
          message: `the WireGuard device stopped: ${event.reason}`,
          relay: selection.relay.hostname,
        });
      }
    });
    check();
    await device.configure({
      privateKey: deps.identity.privateKeyForDevice(),
      fwmark: TUNNEL_FWMARK,
      peer: {
        publicKey: selection.publicKey,
        endpoint: selection.endpoint,
        allowedIps: families.map((family) => (family === 4 ? '0.0.0.0/0' : '::/0')),
        persistentKeepalive: KEEPALIVE_SECONDS,
        ...(selection.presharedKey ? { presharedKey: selection.presharedKey } : {}),
      },
    });
    check();

    const linkMtu = await linkMtuToward(deps.runner, selection.address, TUNNEL_FWMARK);
    const routing: TunnelRouting = {
      interfaceName: device.name,
      addresses: identity.addresses,
      mtu: tunnelMtu(linkMtu, selection.ipVersion, settings.tunnel.mtu),
      verifyTargets: gateways,
      families,
      bypassRanges: settings.bypassRanges,
    };
    this.session.routing = routing;

    this.session.steps.push(...(await applySteps(deps.runner, tunnelUpSteps(routing))));
    check();

    await this.verify(token, device, gateways, attemptTimeoutMs(attempt));
    this.session.steps.push(...(await applySteps(deps.runner, defaultRouteSteps(routing))));
    check();
    // The connected policy (DNS only to `servers`) goes in before resolv.conf points at them.
    await this.secureOrFail(this.policyFor('connected'));
    check();

    try {
      await deps.dns.apply(device.name, servers);
    } catch (error) {
      throw new AttemptFailure(
        'dns',
        `could not set DNS: ${error instanceof Error ? error.message : String(error)}`,
        true,
      );
    }
    this.session.dnsApplied = true;
    check();
    return summary;
  }

  /** A handshake and an answer from the gateway, before `timeoutMs`. Pings also trigger the handshake. */
  private async verify(
    token: number,
    device: WireGuardDevice,
    gateways: string[],
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const [gateway] = gateways;
    if (!gateway) throw new AttemptFailure('tunnel-setup', 'no gateway to verify against', false);
    for (;;) {
      if (token !== this.attemptToken) throw new AttemptCancelled('cancelled');
      const answered = await this.ping(device.name, gateway, 1);
      if (answered) {
        const stats = await device.stats();
        if (stats.lastHandshakeAgeMs !== null) {
          // The other family's gateway too: an IPv6 path that does not work should be in the log.
          for (const other of gateways.slice(1)) {
            if (!(await this.ping(device.name, other, 1)))
              this.deps.log.warn({ gateway: other }, 'no answer from this gateway through the tunnel');
          }
          return;
        }
      }

      if (Date.now() >= deadline) {
        const stats = await device.stats().catch(() => undefined);
        const why =
          stats?.lastHandshakeAgeMs === null || !stats
            ? 'no handshake with the relay'
            : `no answer from ${gateway} through the tunnel`;
        throw new AttemptFailure('tunnel-setup', `${why} within ${timeoutMs / 1000} s`, true);
      }
    }
  }

  private async ping(interfaceName: string, target: string, waitSeconds: number): Promise<boolean> {
    const argv = [
      'ping',
      target.includes(':') ? '-6' : '-4',
      '-n',
      '-q',
      '-c',
      '1',
      '-W',
      String(waitSeconds),
      '-I',
      interfaceName,
      target,
    ];
    const result = await this.deps.runner
      .run(argv, { okCodes: [1, 2], timeoutMs: (waitSeconds + 2) * 1000 })
      .catch(() => undefined);
    return result?.code === 0;
  }

  /** After connecting: find a path-MTU black hole with DF probes and lower the MTU below it. */
  private async discoverPathMtu(token: number): Promise<void> {
    const { routing, device } = this.session;
    const gateway = routing?.verifyTargets.find((t) => !t.includes(':'));
    if (!routing || !device || !gateway || token !== this.attemptToken || this.model.kind !== 'connected')
      return;
    const fits = (mtu: number): Promise<boolean> => probeFits(this.deps.runner, device.name, gateway, 4, mtu);
    const startedAt = Date.now();
    const found = await searchPathMtu(1280, routing.mtu, fits);
    this.deps.log.debug({ mtu: routing.mtu, pathMtu: found, ms: Date.now() - startedAt }, 'path MTU probed');

    if (found < routing.mtu && token === this.attemptToken && this.session.routing === routing) {
      this.deps.log.warn(
        { from: routing.mtu, to: found },
        'large packets vanish on the path to the relay; lowering the tunnel MTU',
      );
      await this.deps.runner.run(['ip', 'link', 'set', 'dev', device.name, 'mtu', String(found)]);
      routing.mtu = found;
      // The state may have moved on during the probes (the compiler cannot see that across awaits).
      const now = this.currentState();
      if (now.kind === 'connected') this.deps.onState(now, `path MTU lowered to ${found}`);
    }
  }

  private async tearDown(): Promise<void> {
    const { log, runner, dns } = this.deps;
    const session = this.session;
    this.session = { steps: [], dnsApplied: false };
    if (session.dnsApplied)
      await dns.revert().catch((error: unknown) => log.error({ err: error }, 'could not restore DNS'));
    for (const failure of await undoSteps(runner, session.steps))
      log.warn({ err: failure.message }, 'tear-down step failed');
    session.stopDeviceEvents?.();
    await session.device
      ?.close()
      .catch((error: unknown) => log.error({ err: error }, 'could not remove the WireGuard device'));
  }

  private startMonitor(): void {
    this.stopMonitor();
    const tracker = new LivenessTracker();
    const { device, selection } = this.session;
    if (!device || !selection) return;
    const gateway = this.session.routing?.verifyTargets[0];
    let busy = false;
    let probing = false;
    this.monitorTimer = setInterval(() => {
      if (busy) return;
      busy = true;
      void (async () => {
        try {
          const stats = await device.stats();
          const verdict = tracker.observe({
            atMs: Date.now(),
            rxBytes: stats.rxBytes,
            ...(stats.lastHandshakeAgeMs === null ? {} : { handshakeAgeMs: stats.lastHandshakeAgeMs }),
          });
          // The probe's answer shows up as rx growth in a later sample; do not hold the samples up.
          if (verdict.kind === 'probe' && gateway && !probing) {
            probing = true;
            void this.ping(device.name, gateway, 1).finally(() => (probing = false));
          }

          if (verdict.kind === 'dead' && this.model.kind === 'connected' && this.session.device === device) {
            this.dispatch({
              type: 'tunnel-lost',
              message: `${selection.relay.hostname} stopped answering (${verdict.reason})`,
              relay: selection.relay.hostname,
            });
          }
        } catch (error) {
          this.deps.log.debug({ err: error }, 'monitor sample failed');
        } finally {
          busy = false;
        }
      })();
    }, MONITOR_INTERVAL_MS);
    this.routeWatch ??= this.deps.watchDefaultRoute?.((line) => {
      if (this.model.kind !== 'connected') return;
      this.deps.log.info({ change: line }, 'the default route changed');
      this.dispatch({
        type: 'tunnel-lost',
        message: 'the network changed',
        relay: this.session.selection?.relay.hostname ?? '',
      });
    });
  }

  private stopMonitor(): void {
    clearInterval(this.monitorTimer);
    this.monitorTimer = undefined;
  }
}

function relaySummary(selection: RelaySelection): RelaySummary {
  return {
    hostname: selection.relay.hostname,
    country: selection.country.name || selection.country.code,
    city: selection.city.name || selection.city.code,
    endpoint: selection.endpoint,
    publicKey: selection.publicKey,
  };
}

/** IPv4 when the device has an IPv4 address; IPv6 too when enabled and both sides have it. */
export function tunnelFamilies(
  addresses: readonly string[],
  selection: RelaySelection,
  enableIpv6: boolean,
): Family[] {
  const families: Family[] = [];
  if (addresses.some((a) => !a.includes(':'))) families.push(4);
  const relayHasV6Gateway = selection.inTunnelResolvers.some((a) => a.includes(':'));
  if (enableIpv6 && relayHasV6Gateway && addresses.some((a) => a.includes(':'))) families.push(6);
  return families;
}
