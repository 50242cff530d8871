// The problem report a user pastes into a bug: versions, platform, backends, settings, the relay in use
// and the helper's last log lines, with keys, addresses and home folders redacted. Pure.
import { describeLocation, type SluiceSettings, type TunnelStatus } from '@sluice/api/domain';

export interface ProblemFacts {
  appVersion: string;
  /** `process.platform` and release of the machine the app runs on. */
  appPlatform: string;
  helper?: { version: string; platform: string; wireguardBackend: string; dnsBackend: string };
  settings: SluiceSettings | undefined;
  tunnel: TunnelStatus;
  logLines: readonly string[];
  /** The user's home folder, replaced by "~" wherever it appears. */
  home?: string;
}

// WireGuard keys are 32 bytes in base64: 43 characters and "=".
const WIREGUARD_KEY = /\b[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=/g;
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b/g;
// Candidate IPv6 text: hex groups with at least two colons; checked further in `redactIpv6`.
const IPV6_CANDIDATE = /(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])/g;

function redactIpv6(text: string): string {
  return text.replace(IPV6_CANDIDATE, (match) => {
    // Times (12:30:05) and the like have no hex letters and at most two colons; a real address has
    // either a "::" or seven colons.
    const colons = match.split(':').length - 1;
    if (!match.includes('::') && colons < 7) return match;
    if (match === '::') return match;
    return '[ipv6]';
  });
}

/** Text with keys, addresses and the home folder taken out. */
export function redact(text: string, home?: string): string {
  let out = text.replace(WIREGUARD_KEY, '[key]').replace(IPV4, '[ipv4]');
  out = redactIpv6(out);
  if (home && home.length > 1) out = out.split(home).join('~');
  return out;
}

function settingsLines(settings: SluiceSettings | undefined): string[] {
  if (!settings) return ['settings: not received from the helper'];
  const { tunnel, dns, relayConstraints, splitTunnel } = settings;
  return [
    `lockdown mode: ${settings.lockdownMode ? 'on' : 'off'}`,
    `allow LAN: ${settings.allowLan ? 'on' : 'off'}`,
    `auto-connect: ${settings.autoConnect ? 'on' : 'off'}`,
    `DNS: ${dns.mode}${dns.mode === 'custom' ? ` (${dns.customServers.length} server(s))` : ''}`,
    `IPv6: ${tunnel.enableIpv6 ? 'on' : 'off'}`,
    `MTU: ${tunnel.mtu ?? 'automatic'}`,
    `WireGuard port: ${tunnel.wireguardPort ?? 'automatic'}`,
    `bypass ranges: ${settings.bypassRanges.length}`,
    `location: ${describeLocation(relayConstraints.location)}`,
    `providers: ${relayConstraints.providers.join(', ') || 'any'}; ownership: ${relayConstraints.ownership}`,
    `split tunnelling: ${splitTunnel.enabled ? 'on' : 'off'} (${splitTunnel.apps.length} app rule(s))`,
  ];
}

function tunnelLines(tunnel: TunnelStatus): string[] {
  const lines = [`state: ${tunnel.state}${tunnel.lockedDown ? ' (locked down)' : ''}`];
  if (tunnel.relay)
    lines.push(`relay: ${tunnel.relay.hostname} (${tunnel.relay.country} ${tunnel.relay.city})`);
  if (tunnel.tunnel) lines.push(`interface: ${tunnel.tunnel.interface}, MTU ${tunnel.tunnel.mtu}`);
  if (tunnel.error) {
    lines.push(
      `error: ${tunnel.error.cause}${tunnel.error.blocking ? ' (blocking)' : ''}: ${tunnel.error.message}`,
    );
  }
  return lines;
}

/** The whole report as plain text, redacted. */
export function problemReport(facts: ProblemFacts): string {
  const helper = facts.helper;
  const sections: [string, string[]][] = [
    [
      'Versions',
      [
        `app: ${facts.appVersion} on ${facts.appPlatform}`,
        helper
          ? `helper: ${helper.version} on ${helper.platform}; WireGuard: ${helper.wireguardBackend || 'not yet known'}; DNS: ${helper.dnsBackend || 'not yet known'}`
          : 'helper: not reachable',
      ],
    ],
    ['Tunnel', tunnelLines(facts.tunnel)],
    ['Settings', settingsLines(facts.settings)],
    [`Helper log (last ${facts.logLines.length} lines)`, [...facts.logLines]],
  ];
  const text = sections.map(([title, lines]) => `## ${title}\n${lines.join('\n')}`).join('\n\n');
  return `# Sluice problem report\n\n${redact(text, facts.home)}\n`;
}
