// Pure setting changes: each takes the settings and a request's values, validates them, and returns new
// settings. ValidationError names the field the way the API does.
import {
  ValidationError,
  validateAppPath,
  validateCidr,
  validateBypassRange,
  validateHostname,
  validateList,
  validateName,
  validateRoutableIp,
  validateLocationCode,
  validateMtu,
  validatePort,
  type DnsMode,
  type LocationConstraint,
  type Ownership,
  type SluiceSettings,
} from '@sluice/api/domain';

export function setMtu(settings: SluiceSettings, mtu: number | undefined): SluiceSettings {
  const value = mtu === undefined ? null : validateMtu('mtu', mtu);
  return { ...settings, tunnel: { ...settings.tunnel, mtu: value } };
}

export function setWireguardPort(settings: SluiceSettings, port: number | undefined): SluiceSettings {
  const value = port === undefined ? null : validatePort('port', port);
  return { ...settings, tunnel: { ...settings.tunnel, wireguardPort: value } };
}

export const MAX_DNS_SERVERS = 8;

export function setDns(settings: SluiceSettings, mode: DnsMode, servers: readonly string[]): SluiceSettings {
  const customServers = validateList('dns.custom_servers', servers, validateRoutableIp, MAX_DNS_SERVERS);
  if (mode === 'custom' && customServers.length === 0) {
    throw new ValidationError(
      'dns.custom_servers',
      'custom DNS needs at least one server address, e.g. 9.9.9.9',
    );
  }
  // Switching back to default keeps the custom list, so toggling does not lose what the user typed.
  return {
    ...settings,
    dns: { mode, customServers: mode === 'custom' ? customServers : settings.dns.customServers },
  };
}

export const MAX_BYPASS_RANGES = 64;

export function setBypassRanges(settings: SluiceSettings, ranges: readonly string[]): SluiceSettings {
  const bypassRanges = validateList('ranges', ranges, validateBypassRange, MAX_BYPASS_RANGES);
  return { ...settings, bypassRanges };
}

/** False only for a CIDR range this helper refuses as too wide; anything else is left to the check. */
function acceptableBypass(range: string): boolean {
  try {
    validateCidr('range', range);
  } catch {
    return true;
  }
  try {
    validateBypassRange('range', range);
    return true;
  } catch {
    return false;
  }
}

export function addBypassRange(settings: SluiceSettings, range: string): SluiceSettings {
  const canonical = validateBypassRange('range', range);
  if (!settings.bypassRanges.includes(canonical) && settings.bypassRanges.length >= MAX_BYPASS_RANGES)
    throw new ValidationError(
      'range',
      `there are ${MAX_BYPASS_RANGES} bypass ranges already, the most accepted`,
    );
  return setBypassRanges(settings, [...settings.bypassRanges, canonical]);
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export function removeBypassRange(settings: SluiceSettings, range: string): SluiceSettings {
  // Any range that is there may be removed, even one a newer rule would refuse to add.
  const canonical = validateCidr('range', range);
  if (!settings.bypassRanges.includes(canonical)) {
    throw new NotFoundError(
      `${canonical} is not a bypass range (the list has: ${settings.bypassRanges.join(', ') || 'none'})`,
    );
  }
  return { ...settings, bypassRanges: settings.bypassRanges.filter((r) => r !== canonical) };
}

export const MAX_PROVIDERS = 32;
export const MAX_PROVIDER_NAME = 64;

/** Location codes are checked for shape here; whether they exist is the relay list's business. */
export function normaliseLocation(location: LocationConstraint): LocationConstraint {
  const out: LocationConstraint = {};
  if (location.country) out.country = validateLocationCode('location.country', location.country);
  if (location.city) {
    if (!out.country) throw new ValidationError('location.city', 'a city needs its country, e.g. "se got"');
    out.city = validateLocationCode('location.city', location.city);
  }
  if (location.hostname) {
    if (!out.city)
      throw new ValidationError(
        'location.hostname',
        'a relay needs its country and city, e.g. "se got se-got-wg-001"',
      );
    out.hostname = validateHostname('location.hostname', location.hostname);
  }
  return out;
}

export function setRelayConstraints(
  settings: SluiceSettings,
  constraints: { location: LocationConstraint; providers: readonly string[]; ownership: Ownership },
): SluiceSettings {
  const providers = validateList(
    'constraints.providers',
    constraints.providers,
    (field, value) => validateName(field, value, MAX_PROVIDER_NAME),
    MAX_PROVIDERS,
  );
  return {
    ...settings,
    relayConstraints: {
      location: normaliseLocation(constraints.location),
      providers,
      ownership: constraints.ownership,
    },
  };
}

export const MAX_SPLIT_TUNNEL_APPS = 256;

export function addSplitTunnelApp(settings: SluiceSettings, path: string): SluiceSettings {
  const app = validateAppPath('path', path);
  if (settings.splitTunnel.apps.includes(app)) return settings;
  if (settings.splitTunnel.apps.length >= MAX_SPLIT_TUNNEL_APPS) {
    throw new ValidationError('path', `at most ${MAX_SPLIT_TUNNEL_APPS} programs can be excluded`);
  }
  return { ...settings, splitTunnel: { ...settings.splitTunnel, apps: [...settings.splitTunnel.apps, app] } };
}

export function removeSplitTunnelApp(settings: SluiceSettings, path: string): SluiceSettings {
  const app = validateAppPath('path', path);
  if (!settings.splitTunnel.apps.includes(app)) throw new NotFoundError(`${app} is not an excluded program`);
  return {
    ...settings,
    splitTunnel: { ...settings.splitTunnel, apps: settings.splitTunnel.apps.filter((a) => a !== app) },
  };
}

/**
 * Check every field of loaded settings with the same validators the setters use, so a hand-edited file
 * with a bad value is treated like a corrupt one instead of reaching the firewall.
 */
export function checkSettings(settings: SluiceSettings): SluiceSettings {
  let out = setDns(settings, settings.dns.mode, settings.dns.customServers);
  out = setMtu(out, settings.tunnel.mtu ?? undefined);
  out = setWireguardPort(out, settings.tunnel.wireguardPort ?? undefined);
  // Ranges an older helper accepted but this one refuses (0.0.0.0/0: no tunnel at all) are dropped
  // rather than losing the whole file: the kill switch only gets stricter.
  out = setBypassRanges(out, settings.bypassRanges.filter(acceptableBypass).slice(0, MAX_BYPASS_RANGES));
  out = setRelayConstraints(out, settings.relayConstraints);
  for (const app of settings.splitTunnel.apps) validateAppPath('split_tunnel.apps', app);
  return out;
}
