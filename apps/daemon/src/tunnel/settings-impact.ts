// What a settings change means for the tunnel, in one pure place: the state machine turns the impact
// into a reconnect, a new firewall policy, or nothing, depending on the state it is in.
import type { SluiceSettings } from '@sluice/api/domain';

export interface SettingsImpact {
  /** The tunnel would be set up differently: relay choice, MTU, IPv6, port, DNS, bypass routing. */
  tunnel: boolean;
  /** A firewall policy would differ: lockdown (while disconnected), allow-LAN, bypass ranges. */
  firewall: boolean;
}

type Part = (s: SluiceSettings) => unknown;

const TUNNEL_PARTS: readonly Part[] = [
  (s) => s.relayConstraints,
  (s) => s.tunnel,
  (s) => s.dns,
  (s) => s.bypassRanges,
];
const FIREWALL_PARTS: readonly Part[] = [(s) => s.lockdownMode, (s) => s.allowLan, (s) => s.bypassRanges];

const differs = (parts: readonly Part[], a: SluiceSettings, b: SluiceSettings): boolean =>
  parts.some((part) => JSON.stringify(part(a)) !== JSON.stringify(part(b)));

export function settingsImpact(before: SluiceSettings, after: SluiceSettings): SettingsImpact {
  return { tunnel: differs(TUNNEL_PARTS, before, after), firewall: differs(FIREWALL_PARTS, before, after) };
}

export const NO_IMPACT: SettingsImpact = { tunnel: false, firewall: false };
