// Pure formatting of helper replies: the documented JSON (DESIGN.md "Contracts") and short human text.
import type { pb } from '@sluice/api';
import {
  formatBytes,
  settingsFromPb,
  tunnelStatusFromPb,
  type LocationConstraint,
  type SluiceSettings,
  type TunnelStatus,
} from '@sluice/api/domain';

export type StatusJson = TunnelStatus;

/** The documented `status --json` object. */
export function statusJson(state: pb.TunnelState | undefined): StatusJson {
  return tunnelStatusFromPb(state);
}

export function statusText(state: pb.TunnelState | undefined): string {
  const json = statusJson(state);
  const where = json.relay
    ? ` to ${json.relay.hostname} (${[json.relay.city, json.relay.country].filter(Boolean).join(', ')})`
    : '';
  const lines: string[] = [];
  switch (json.state) {
    case 'connected':
      lines.push(`Connected${where}`);
      if (json.relay) lines.push(`  Endpoint:   ${json.relay.endpoint}`);
      if (json.tunnel) {
        lines.push(`  Interface:  ${json.tunnel.interface} (MTU ${json.tunnel.mtu})`);
        lines.push(
          `  Traffic:    ${formatBytes(json.tunnel.rxBytes)} in, ${formatBytes(json.tunnel.txBytes)} out`,
        );
        if (json.tunnel.lastHandshakeAgeMs !== null) {
          lines.push(`  Handshake:  ${Math.round(json.tunnel.lastHandshakeAgeMs / 1000)} s ago`);
        }
      }
      break;
    case 'connecting':
      lines.push(`Connecting${where}...`);
      break;
    case 'disconnecting':
      lines.push('Disconnecting...');
      break;
    case 'error':
      lines.push(`Error: ${json.error?.message ?? 'unknown'}`);
      if (json.error?.blocking)
        lines.push('  All traffic is blocked until this is resolved or you disconnect.');
      break;
    default:
      lines.push('Disconnected');
  }
  const blocking = blockingWords(json);
  if (blocking) lines.push(`  ${blocking}`);
  if (json.bypassRanges)
    lines.push(`  Bypass ranges outside the tunnel: ${json.bypassRanges.join(', ')} (sluice bypass list)`);
  return lines.join('\n');
}

/**
 * Why traffic outside the tunnel is blocked, in words that name the real reason: the kill switch of a
 * tunnel that is up or being set up, lockdown mode (the only reason a disconnected helper blocks), or
 * the error (said above, with the error). `lockedDown` itself keeps its documented JSON meaning.
 */
export function blockingWords(status: StatusJson): string | undefined {
  if (!status.lockedDown) return undefined;
  switch (status.state) {
    case 'connected':
      return 'Traffic outside the tunnel is blocked (kill switch).';
    case 'connecting':
      return 'Traffic outside the tunnel is blocked until it is up (kill switch).';
    case 'disconnecting':
      return 'Traffic outside the tunnel stays blocked until it is down.';
    case 'disconnected':
      return 'Traffic outside the tunnel is blocked (lockdown mode).';
    case 'error':
      return undefined;
  }
}

export const onOff = (value: boolean): string => (value ? 'on' : 'off');

/** One status line about split tunnelling while it is on; nothing while it is off. */
export function splitTunnelWords(state: pb.SplitTunnelState | undefined): string | undefined {
  if (!state?.enabled) return undefined;
  if (state.mechanism === 'unavailable')
    return `Split tunnelling is on but unavailable here: ${state.detail}`;
  const n = state.pids.length;
  const apps = state.apps.length;
  return `Split tunnelling (${state.mechanism}): ${n} process${n === 1 ? '' : 'es'} and ${apps} program${apps === 1 ? '' : 's'} outside the tunnel`;
}

/** The JSON objects `get` commands print: slices of the domain settings, stable for scripts. */
export function settingsSlices(settings: pb.Settings): {
  settings: SluiceSettings;
  lockdownMode: { lockdownMode: boolean };
  lan: { allowLan: boolean };
  autoConnect: { autoConnect: boolean };
  dns: SluiceSettings['dns'];
  tunnel: SluiceSettings['tunnel'];
  bypass: { bypassRanges: string[] };
  relayConstraints: SluiceSettings['relayConstraints'];
} {
  const s = settingsFromPb(settings);
  return {
    settings: s,
    lockdownMode: { lockdownMode: s.lockdownMode },
    lan: { allowLan: s.allowLan },
    autoConnect: { autoConnect: s.autoConnect },
    dns: s.dns,
    tunnel: s.tunnel,
    bypass: { bypassRanges: s.bypassRanges },
    relayConstraints: s.relayConstraints,
  };
}

export function dnsText(dns: SluiceSettings['dns']): string {
  if (dns.mode === 'custom') return `Custom DNS: ${dns.customServers.join(', ')}`;
  const kept = dns.customServers.length > 0 ? ` (saved custom servers: ${dns.customServers.join(', ')})` : '';
  return `Default DNS: the relay's resolver${kept}`;
}

export function tunnelText(tunnel: SluiceSettings['tunnel']): string {
  return [
    `MTU:            ${tunnel.mtu ?? 'auto'}`,
    `IPv6:           ${onOff(tunnel.enableIpv6)}`,
    `WireGuard port: ${tunnel.wireguardPort ?? 'auto'}`,
  ].join('\n');
}

/**
 * The domain's describeLocation ("any", "se", "se got", "se got se-got-wg-001"; a test holds them equal).
 * That one lives beside the settings schemas, and importing it would evaluate zod at every start.
 */
export function locationWords(location: LocationConstraint): string {
  const parts = [location.country, location.city, location.hostname].filter((part) => !!part);
  return parts.length === 0 ? 'any' : parts.join(' ');
}

export function relayConstraintsText(c: SluiceSettings['relayConstraints']): string {
  const lines = [`Location:  ${locationWords(c.location)}`];
  lines.push(`Providers: ${c.providers.length > 0 ? c.providers.join(', ') : 'any'}`);
  lines.push(`Ownership: ${c.ownership}`);
  return lines.join('\n');
}

export function relayListText(list: pb.RelayList | undefined): string {
  if (!list || list.countries.length === 0)
    return 'No relays. Import some with `sluice import <file.conf|relays.json>`.';
  const lines: string[] = [];
  for (const country of list.countries) {
    lines.push(`${country.name || country.code} (${country.code})`);
    for (const city of country.cities) {
      lines.push(`  ${city.name || city.code} (${city.code})`);
      for (const relay of city.relays) {
        const addresses = [relay.ipv4AddrIn, relay.ipv6AddrIn].filter(Boolean).join(', ');
        lines.push(
          `    ${relay.hostname} (${addresses}) - ${relay.provider || 'unknown provider'}${relay.active ? '' : ' [inactive]'}`,
        );
      }
    }
  }
  return lines.join('\n');
}
