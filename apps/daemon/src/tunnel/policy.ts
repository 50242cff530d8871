// The concrete firewall policy of each stage of the tunnel, from the attempt's plan and the settings.
// Pure: the state machine says which one (its PolicyIntent), this says what it contains.
import type { SluiceSettings } from '@sluice/api/domain';
import type { ExclusionMatch, FirewallOptions, FirewallPolicy } from '../net/firewall-rules.js';
import { TUNNEL_FWMARK } from '../net/routing.js';
import type { ConnectPlan } from './plan.js';

export type MssClamp = { 4?: number; 6?: number };

/** `exclusion`: split tunnelling's match for excluded sockets, while it is on. */
export function firewallOptions(settings: SluiceSettings, exclusion?: ExclusionMatch): FirewallOptions {
  return {
    allowLan: settings.allowLan,
    bypassRanges: settings.bypassRanges,
    ...(exclusion ? { exclusion } : {}),
  };
}

export function blockedPolicy(settings: SluiceSettings, exclusion?: ExclusionMatch): FirewallPolicy {
  return { kind: 'blocked', ...firewallOptions(settings, exclusion) };
}

/** Disconnected: nothing, unless lockdown (or a helper stopping with the tunnel wanted) blocks. */
export function idlePolicy(
  settings: SluiceSettings,
  blockAnyway: boolean,
  exclusion?: ExclusionMatch,
): FirewallPolicy {
  return settings.lockdownMode || blockAnyway ? blockedPolicy(settings, exclusion) : { kind: 'none' };
}

/** Setting up: only the WireGuard socket's packets to the relay, and pings to the in-tunnel targets. */
export function connectingPolicy(
  plan: ConnectPlan,
  tunnelInterface: string,
  settings: SluiceSettings,
  exclusion?: ExclusionMatch,
): FirewallPolicy {
  return {
    kind: 'connecting',
    relay: { address: plan.selection.address, port: plan.selection.port },
    fwmark: TUNNEL_FWMARK,
    tunnelInterface,
    gateways: plan.verifyTargets,
    ...firewallOptions(settings, exclusion),
  };
}

/** Up: the tunnel for the families it carries, DNS only to the plan's resolvers through it. */
export function connectedPolicy(
  plan: ConnectPlan,
  tunnelInterface: string,
  settings: SluiceSettings,
  mssClamp: MssClamp | undefined,
  exclusion?: ExclusionMatch,
): FirewallPolicy {
  return {
    kind: 'connected',
    relay: { address: plan.selection.address, port: plan.selection.port },
    fwmark: TUNNEL_FWMARK,
    tunnelInterface,
    tunnelAddresses: plan.tunnelAddresses,
    dnsServers: plan.dnsServers,
    gateways: plan.verifyTargets,
    families: plan.families,
    ...(mssClamp ? { mssClamp } : {}),
    ...firewallOptions(settings, exclusion),
  };
}
