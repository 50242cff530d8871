// One connection attempt, as wg-quick's `cmd_up` with its trap: steps in order, each recorded in the
// session so a failure or a cancel takes down exactly what was done. Independent steps run together
// (the connecting policy, starting the device and looking up the link MTU), because a connect is
// a dozen short system calls and each costs milliseconds.
//
//   connecting policy | open device | link MTU   ->  configure the peer   ->  link, addresses, rules
//   ->  verify (handshake + in-tunnel ping)   ->  connected policy   ->  default route | DNS
//
// The connected policy goes in before the default route (no route into the tunnel without it) and
// before DNS points at its resolvers.
import type { Logger } from 'pino';
import type { DnsBackend } from '../net/dns/index.js';
import type { Runner } from '../net/exec.js';
import type { FirewallPolicy } from '../net/firewall-rules.js';
import { linkMtuToward, tunnelMtu } from '../net/mtu.js';
import { defaultRouteSteps, TUNNEL_FWMARK, tunnelUpSteps, type TunnelRouting } from '../net/routing.js';
import { StepError } from '../net/steps.js';
import type { Pinger } from './connectivity/pinger.js';
import { verifyTunnel } from './connectivity/verify.js';
import type { DeviceEvent, WireGuardDevice } from './device.js';
import type { ConnectPlan } from './plan.js';
import { TunnelSession } from './session.js';
import { attemptTimeoutMs } from './state-machine.js';
import { AttemptCancelled, AttemptFailure, errorText, throwIfCancelled } from './types.js';

export interface AttemptParts {
  interfaceName: string;
  runner: Runner;
  log: Logger;
  dns: DnsBackend;
  pinger: Pinger;
  openDevice: (name: string) => Promise<WireGuardDevice>;
  privateKey: () => string;
  /** Apply a firewall policy (throws when it cannot be applied). */
  secure: (policy: FirewallPolicy) => Promise<void>;
  /** The concrete policies of this attempt, with the settings of the moment. */
  connectingPolicy: (plan: ConnectPlan) => FirewallPolicy;
  connectedPolicy: (session: TunnelSession) => FirewallPolicy;
  /** Life events of the attempt's device (until its session is taken down). */
  onDeviceEvent: (session: TunnelSession, event: DeviceEvent) => void;
}

export interface AttemptOptions {
  attempt: number;
  signal: AbortSignal;
  /** Called once the connecting policy is in force (not called when the attempt fails before). */
  onSecured: () => void;
}

/** Run one attempt; resolves with the verified session, or throws AttemptFailure / AttemptCancelled. */
export async function runAttempt(
  parts: AttemptParts,
  plan: ConnectPlan,
  options: AttemptOptions,
): Promise<TunnelSession> {
  const { signal } = options;
  const session = new TunnelSession(plan, parts);
  let secured = false;
  const markSecured = (): void => {
    if (secured) return;
    secured = true;
    options.onSecured();
  };
  try {
    await setUp(parts, plan, session, options, markSecured);
    return session;
  } catch (error) {
    // Not marked secured here: the caller publishes the failure first, then lets the stale
    // "connecting" through (it is superseded, so it is never shown with a policy it lacked).
    await session.takeDown();
    await session.closed;
    if (signal.aborted || error instanceof AttemptCancelled) throw new AttemptCancelled();
    throw asFailure(error);
  }
}

async function setUp(
  parts: AttemptParts,
  plan: ConnectPlan,
  session: TunnelSession,
  { attempt, signal }: AttemptOptions,
  markSecured: () => void,
): Promise<void> {
  const { runner, log } = parts;
  // Where the time of a connect goes, in the debug log: each step's end, in ms from the start.
  const started = performance.now();
  const marks: Record<string, number> = {};
  const mark = (step: string): void => {
    marks[step] = Math.round((performance.now() - started) * 10) / 10;
  };
  const [policy, device, linkMtu] = await Promise.allSettled([
    parts.secure(parts.connectingPolicy(plan)),
    parts.openDevice(parts.interfaceName),
    linkMtuToward(runner, plan.selection.address, TUNNEL_FWMARK),
  ]);
  if (device.status === 'fulfilled')
    session.adoptDevice(device.value, (event) => parts.onDeviceEvent(session, event));
  if (policy.status === 'rejected') throw new AttemptFailure('firewall', errorText(policy.reason), false);
  markSecured();
  mark('policy, device, link MTU');
  if (device.status === 'rejected')
    throw new AttemptFailure(
      'tunnel-setup',
      `could not create the WireGuard device: ${errorText(device.reason)}`,
      true,
    );
  if (linkMtu.status === 'rejected')
    throw new AttemptFailure(
      'routing',
      `no way to ${plan.selection.address}: ${errorText(linkMtu.reason)}`,
      true,
    );
  throwIfCancelled(signal);

  // Only now, with the connecting policy in force: the peer makes the device send its first handshake.
  await device.value.configure({ privateKey: parts.privateKey(), fwmark: TUNNEL_FWMARK, peer: plan.peer });
  mark('peer');
  throwIfCancelled(signal);

  const routing: TunnelRouting = {
    interfaceName: device.value.name,
    addresses: plan.tunnelAddresses,
    mtu: tunnelMtu(linkMtu.value, plan.selection.ipVersion, plan.userMtu),
    verifyTargets: plan.verifyTargets,
    families: plan.families,
    bypassRanges: plan.bypassRanges,
  };
  session.routing = routing;
  await session.apply(tunnelUpSteps(routing), signal);
  mark('link and rules');
  throwIfCancelled(signal);

  await verifyTunnel({
    device: device.value,
    pinger: parts.pinger,
    targets: plan.verifyTargets,
    timeoutMs: attemptTimeoutMs(attempt),
    signal,
    onUnanswered: (target) => log.warn({ target }, 'no answer from this address through the tunnel'),
  });
  mark('verified');
  throwIfCancelled(signal);

  try {
    await parts.secure(parts.connectedPolicy(session));
  } catch (error) {
    throw new AttemptFailure('firewall', errorText(error), false);
  }
  mark('connected policy');
  throwIfCancelled(signal);
  // The default route and DNS do not depend on each other: both only on the connected policy.
  const [route, dns] = await Promise.allSettled([
    session.apply(defaultRouteSteps(routing), signal),
    session.applyDns(plan.dnsServers),
  ]);
  if (route.status === 'rejected') throw route.reason;
  if (dns.status === 'rejected')
    throw new AttemptFailure('dns', `could not set DNS: ${errorText(dns.reason)}`, true);
  mark('DNS');
  log.debug({ relay: plan.relay.hostname, ms: marks }, 'attempt steps');
  throwIfCancelled(signal);
}

function asFailure(error: unknown): AttemptFailure {
  if (error instanceof AttemptFailure) return error;
  return new AttemptFailure(error instanceof StepError ? 'routing' : 'tunnel-setup', errorText(error), true);
}
