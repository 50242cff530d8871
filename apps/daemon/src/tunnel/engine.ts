// The tunnel engine: a thin driver. Requests, attempt results, monitor verdicts, device events and
// settings changes become events for the pure state machine; the effects it returns are carried out
// by the parts (an attempt, a session's tear-down, a firewall policy), every system change through one
// serial queue. The driver decides nothing itself, and never waits on the queue from inside it, so no
// interleaving of requests can wedge it: the last request wins.
//
// A state is published only once the firewall policy it claims is in force; a state that was
// superseded before that is not published at all (the newer one is).
import type { RelayList, SluiceSettings } from '@sluice/api/domain';
import type { Logger } from 'pino';
import type { DnsBackend } from '../net/dns/index.js';
import type { Runner } from '../net/exec.js';
import type { Firewall } from '../net/firewall.js';
import type { ExclusionMatch, FirewallPolicy } from '../net/firewall-rules.js';
import type { RandomSource } from '../relays/select.js';
import type { PresharedKeys } from '../relays/sluice-json.js';
import { runAttempt, type AttemptParts } from './attempt.js';
import { ConnectedWatch } from './connected-watch.js';
import { probePathMtu } from './connectivity/path-mtu.js';
import type { Pinger } from './connectivity/pinger.js';
import type { DeviceEvent, WireGuardDevice } from './device.js';
import { planAttempt } from './plan.js';
import { removeLeftovers } from './recover.js';
import { blockedPolicy, connectedPolicy, connectingPolicy, idlePolicy } from './policy.js';
import { SerialQueue } from './serial-queue.js';
import type { TunnelSession } from './session.js';
import { settingsImpact } from './settings-impact.js';
import {
  transition,
  type Effect,
  type PolicyIntent,
  type TunnelEvent,
  type TunnelState,
} from './state-machine.js';
import { AttemptCancelled, AttemptFailure, errorText, isCancelled, type TunnelInfo } from './types.js';

export type { TunnelInfo } from './types.js';

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
  pinger: Pinger;
  openDevice: (name: string) => Promise<WireGuardDevice>;
  /** A long-running watch of the main table's default routes; calls back on each change. */
  watchDefaultRoute?: (onChange: (line: string) => void) => { stop(): void };
  random?: RandomSource;
  /** Called for each published state, in order, once its firewall policy is in force. */
  onState: (state: TunnelState, reason: string) => void;
  onUnexpectedDisconnect?: (message: string) => void;
  /** The kill switch; without one (no nftables) nothing claims to block. */
  firewall?: Firewall;
  /** The user asked for the tunnel (connect) or not (disconnect): persisted so restarts honour it. */
  onTargetChange?: (secured: boolean) => void;
  /** Split tunnelling's match for excluded sockets, while it is on; part of every policy. */
  exclusion?: () => ExclusionMatch | undefined;
}

export class TunnelEngine {
  private model: TunnelState = { kind: 'disconnected' };
  /** The tunnel that is up (or the last attempt's, until it is taken down). */
  private session: TunnelSession | undefined;
  private readonly queue: SerialQueue;
  private attemptAbort = new AbortController();
  /** Resolves when the current attempt's connecting policy is in force (or it ended without one). */
  private attemptSecured: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly watch: ConnectedWatch;
  private publishing: Promise<void> = Promise.resolve();
  private dispatched = 0;
  /** The last policy this engine asked for (what the leak self-test compares the live table with). */
  private intended: FirewallPolicy | undefined;
  /** False after a policy failed to apply, until one applies again. */
  private firewallHolds = true;
  /** Stopping with the tunnel wanted (or lockdown): the idle policy stays blocked. */
  private blockWhenStopped = false;
  private lastBackend: WireGuardDevice['backend'] | undefined;
  private readonly attemptParts: AttemptParts;
  /** The last torn-down session's device going away; a new device of the same name waits for it. */
  private closing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: EngineDeps) {
    this.queue = new SerialQueue(deps.log);
    this.watch = new ConnectedWatch({
      pinger: deps.pinger,
      log: deps.log,
      ...(deps.watchDefaultRoute ? { watchDefaultRoute: deps.watchDefaultRoute } : {}),
      onLost: (session, message, relay) => {
        if (session === this.session && this.model.kind === 'connected')
          this.dispatch({ type: 'tunnel-lost', message, relay });
      },
    });
    const { interfaceName } = deps;
    this.attemptParts = {
      interfaceName,
      runner: deps.runner,
      log: deps.log,
      dns: deps.dns,
      pinger: deps.pinger,
      openDevice: deps.openDevice,
      privateKey: () => deps.identity.privateKeyForDevice(),
      secure: (policy) => this.secure(policy),
      connectingPolicy: (plan) => connectingPolicy(plan, interfaceName, deps.settings(), deps.exclusion?.()),
      connectedPolicy: (session) =>
        connectedPolicy(session.plan, interfaceName, deps.settings(), session.mssClamp, deps.exclusion?.()),
      onDeviceEvent: (session, event) => this.onDeviceEvent(session, event),
    };
  }

  get state(): TunnelState {
    return this.model;
  }

  /** True when the firewall blocks everything outside the tunnel right now. */
  get lockedDown(): boolean {
    const kind = this.deps.firewall?.inForce;
    return this.firewallHolds && kind !== undefined && kind !== 'none';
  }

  /** The bypass ranges the policy in force lets outside the tunnel (none while no policy is). */
  get bypassInForce(): readonly string[] {
    const policy = this.intended;
    return this.lockedDown && policy && policy.kind !== 'none' ? policy.bypassRanges : [];
  }

  /** The backend of the last device made ('kernel' or 'wireguard-go'), once one was. */
  get wireguardBackend(): string | undefined {
    return this.lastBackend;
  }

  /** The firewall policy that should be in force (what the leak self-test checks against). */
  intendedPolicy(): FirewallPolicy {
    return this.intended ?? { kind: 'none' };
  }

  /** The resolvers DNS should go to now: the tunnel's when connected, else none of ours. */
  intendedDnsServers(): string[] | undefined {
    return this.model.kind === 'connected' ? this.session?.plan.dnsServers : undefined;
  }

  /** The relay's address while connected. */
  relayAddress(): string | undefined {
    return this.model.kind === 'connected' ? this.session?.plan.selection.address : undefined;
  }

  /** Live details of the connected tunnel, or undefined. */
  async tunnelInfo(): Promise<TunnelInfo | undefined> {
    return this.model.kind === 'connected' ? this.session?.info() : undefined;
  }

  /** Remove what a helper that died with a tunnel up left behind (see recover.ts). */
  recover(): Promise<void> {
    return removeLeftovers(this.deps);
  }

  /** After recover(): connect when the tunnel is wanted, else apply the idle policy and publish it. */
  start(connect: boolean): void {
    if (connect) this.connect();
    else this.dispatchEffects([{ type: 'apply-policy', intent: 'idle' }], 'helper started');
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

  /** Split tunnelling's exclusion changed: the policy in force is re-applied with the new one. */
  exclusionChanged(): void {
    this.dispatch({ type: 'settings-changed', impact: { tunnel: false, firewall: true } });
  }

  /** A settings change, as an event: the state machine decides what it means. */
  settingsChanged(before: SluiceSettings, after: SluiceSettings): void {
    this.dispatch({ type: 'settings-changed', impact: settingsImpact(before, after) });
  }

  /**
   * Take the tunnel down and wait until it is (helper shutdown). With `keepBlocking` (the user wants the
   * tunnel, or lockdown is on) the firewall stays closed after the helper exits, so an upgrade or a
   * restart does not leak.
   */
  async shutdown(keepBlocking: boolean): Promise<void> {
    this.blockWhenStopped = keepBlocking;
    clearTimeout(this.retryTimer);
    if (this.model.kind === 'disconnected')
      this.dispatchEffects([{ type: 'apply-policy', intent: 'idle' }], 'stopping');
    else this.dispatch({ type: 'disconnect' });
    await this.settled();
    this.watch.stop();
  }

  /** Resolves when no job is queued or running and every state so far is published. */
  async settled(): Promise<void> {
    for (;;) {
      await this.queue.drained();
      await this.closing;
      const publishing = this.publishing;
      await publishing;
      if (this.queue.idle && publishing === this.publishing) return;
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Feed an event to the state machine and carry out its effects; true when the state changed. */
  private dispatch(event: TunnelEvent): boolean {
    const before = this.model;
    const next = transition(before, event, { canBlock: this.deps.firewall !== undefined });
    this.model = next.state;
    const changed = next.state !== before;
    if (changed)
      this.deps.log.info({ state: next.state.kind, event: event.type, reason: next.reason }, 'tunnel state');
    const barriers = next.effects.map((effect) => this.run(effect));
    if (changed || next.effects.some((e) => e.type === 'apply-policy'))
      this.publish(next.state, next.reason, Promise.all(barriers));
    this.syncWatch();
    return changed;
  }

  /** Effects outside a transition (start-up, shutdown), published like one. */
  private dispatchEffects(effects: Effect[], reason: string): void {
    const barriers = effects.map((effect) => this.run(effect));
    this.publish(this.model, reason, Promise.all(barriers));
  }

  /** Publish `state` once `barrier` (its policy) has resolved, unless a newer dispatch superseded it. */
  private publish(state: TunnelState, reason: string, barrier: Promise<unknown>): void {
    const seq = ++this.dispatched;
    const secured = state.kind === 'connecting' ? Promise.all([barrier, this.attemptSecured]) : barrier;
    this.publishing = this.publishing
      .then(() => secured)
      .then(() => {
        if (seq === this.dispatched) this.deps.onState(state, reason);
      });
  }

  /** Carry out one effect; returns what publishing the new state must wait for. */
  private run(effect: Effect): Promise<void> {
    switch (effect.type) {
      case 'start-attempt':
        clearTimeout(this.retryTimer);
        return this.startAttempt(effect.attempt, effect.avoid);
      case 'retry-after':
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(
          () => void this.startAttempt(effect.attempt, effect.avoid),
          effect.delayMs,
        );
        return Promise.resolve();
      case 'cancel-attempt':
        clearTimeout(this.retryTimer);
        this.attemptAbort.abort();
        return Promise.resolve();
      case 'tear-down':
        void this.queue.run('tear down', async () => {
          const session = this.session;
          this.session = undefined;
          await session?.takeDown();
          if (session) this.closing = session.closed;
          this.dispatch({ type: 'torn-down' });
        });
        return Promise.resolve();
      case 'apply-policy':
        return this.queue.run(`apply the ${effect.intent} policy`, () => this.enforce(effect.intent));
      case 'notify-unexpected-disconnect':
        this.deps.onUnexpectedDisconnect?.(effect.message);
        return Promise.resolve();
    }
  }

  private async secure(policy: FirewallPolicy): Promise<void> {
    this.intended = policy;
    const { firewall } = this.deps;
    if (!firewall) return;
    try {
      await firewall.apply(policy);
      this.firewallHolds = true;
    } catch (error) {
      this.firewallHolds = false;
      throw error;
    }
  }

  /** The policy of an intent, applied; one that cannot be applied becomes an error state. */
  private async enforce(intent: PolicyIntent): Promise<void> {
    const settings = this.deps.settings();
    const exclusion = this.deps.exclusion?.();
    let policy: FirewallPolicy;
    if (intent === 'idle') {
      // Queued when disconnected; if a newer request has moved on, its own policy follows.
      if (this.model.kind !== 'disconnected') return;
      policy = idlePolicy(settings, this.blockWhenStopped, exclusion);
    } else if (intent === 'blocked') {
      if (this.model.kind !== 'error') return;
      policy = blockedPolicy(settings, exclusion);
    } else {
      const session = this.session;
      if (this.model.kind !== 'connected' || !session) return;
      policy = connectedPolicy(session.plan, this.deps.interfaceName, settings, session.mssClamp, exclusion);
    }
    try {
      await this.secure(policy);
    } catch (error) {
      const message = `the firewall could not be set: ${errorText(error)}`;
      this.deps.log.error({ err: error, policy: policy.kind }, 'could not apply the firewall policy');
      this.dispatch({ type: 'firewall-failed', message });
    }
  }

  /** Queue attempt `attempt`; returns a promise that resolves once its connecting policy holds. */
  private startAttempt(attempt: number, avoid: string[]): Promise<void> {
    this.attemptAbort.abort();
    const abort = new AbortController();
    this.attemptAbort = abort;
    let resolveSecured = (): void => undefined;
    const secured = new Promise<void>((resolve) => (resolveSecured = resolve));
    this.attemptSecured = secured;
    void this.queue.run(`attempt ${attempt}`, async () => {
      try {
        await this.attempt(attempt, avoid, abort.signal, resolveSecured);
      } finally {
        resolveSecured();
      }
    });
    return secured;
  }

  private async attempt(
    attempt: number,
    avoid: string[],
    signal: AbortSignal,
    onSecured: () => void,
  ): Promise<void> {
    if (signal.aborted) return;
    // An attempt cancelled after it had finished left its session: an attempt starts from nothing.
    const leftover = this.session;
    this.session = undefined;
    await leftover?.takeDown();
    await leftover?.closed;
    // The previous device must be gone before one of the same name is made.
    await this.closing;
    const { deps } = this;
    let plan;
    try {
      plan = planAttempt({
        settings: deps.settings(),
        identity: deps.identity.current(),
        relays: deps.relays.current(),
        attempt,
        avoid,
        random: deps.random ?? Math.random,
      });
    } catch (error) {
      this.attemptFailed(error, attempt, undefined);
      return;
    }
    this.dispatch({ type: 'relay-selected', relay: plan.relay });
    try {
      const session = await runAttempt(this.attemptParts, plan, { attempt, signal, onSecured });
      this.session = session;
      this.lastBackend = session.device?.backend;
      // Cancelled at the last moment: whoever cancelled queued the tear-down (or a fresh attempt).
      if (isCancelled(signal)) return;
      this.dispatch({ type: 'attempt-succeeded', relay: plan.relay });
      if (plan.userMtu === null) this.fitPathMtu(session);
    } catch (error) {
      if (error instanceof AttemptCancelled || isCancelled(signal)) return;
      this.attemptFailed(error, attempt, plan.relay.hostname);
    }
  }

  private attemptFailed(error: unknown, attempt: number, relay: string | undefined): void {
    const failure =
      error instanceof AttemptFailure ? error : new AttemptFailure('internal', errorText(error), true);
    this.deps.log.warn({ attempt, relay, err: failure.message }, 'connection attempt failed');
    this.dispatch({
      type: 'attempt-failed',
      cause: failure.cause,
      message: failure.message,
      retry: failure.retry,
      ...(relay ? { relay } : {}),
    });
  }

  /** In the background: find a path-MTU black hole and make the tunnel fit it. */
  private fitPathMtu(session: TunnelSession): void {
    const routing = session.routing;
    const target = session.plan.verifyTargets[0];
    if (!routing || !target) return;
    const signal = session.backgroundSignal;
    void (async () => {
      const startedAt = Date.now();
      const found = await probePathMtu({
        pinger: this.deps.pinger,
        interfaceName: routing.interfaceName,
        target,
        mtu: routing.mtu,
        families: routing.families,
        signal,
      });
      this.deps.log.debug(
        { mtu: routing.mtu, pathMtu: found, ms: Date.now() - startedAt },
        'path MTU probed',
      );
      if (signal.aborted || found >= routing.mtu) return;
      await this.queue.run('fit the path MTU', async () => {
        if (this.session !== session || this.model.kind !== 'connected') return;
        this.deps.log.warn(
          { from: routing.mtu, path: found },
          'large packets vanish on the way to the relay; fitting the tunnel to the path',
        );
        if (await session.fitPath(found)) await this.enforce('tunnel');
        this.publish(this.model, `path MTU is ${found}`, Promise.resolve());
      });
    })().catch((error: unknown) => this.deps.log.warn({ err: errorText(error) }, 'path MTU probe failed'));
  }

  private onDeviceEvent(session: TunnelSession, event: DeviceEvent): void {
    if (session.takenDown) return;
    const current = this.session === session;
    switch (event.type) {
      case 'lost':
        // The relay is not to blame: reconnect to any, the same one included.
        if (current && this.model.kind === 'connected')
          this.dispatch({
            type: 'tunnel-lost',
            message: `the WireGuard device stopped: ${event.reason}`,
            relay: '',
          });
        return;
      case 'restored':
        this.dispatch({
          type: 'device-restarted',
          message: 'the WireGuard device was restarted; setting the tunnel up again',
        });
        return;
      case 'failed':
        this.dispatch({ type: 'device-failed', message: `the WireGuard device failed: ${event.reason}` });
        return;
    }
  }

  /** The connected session is watched (liveness, network changes); nothing else is. */
  private syncWatch(): void {
    this.watch.follow(this.model.kind === 'connected' ? this.session : undefined);
  }
}
