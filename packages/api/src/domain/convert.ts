// Conversions between the generated wire types and the domain types. Only type imports from the
// generated code, so this module stays free of gRPC runtime code.
import type * as pb from '../gen/sluice/v1/settings.js';
import { DnsOptions_Mode, Ownership as PbOwnership } from '../gen/sluice/v1/settings.js';
import type { DnsMode, LocationConstraint, Ownership, RelayConstraints, SluiceSettings } from './settings.js';

const ownershipToPb: Record<Ownership, PbOwnership> = {
  any: PbOwnership.OWNERSHIP_ANY,
  owned: PbOwnership.OWNERSHIP_OWNED,
  rented: PbOwnership.OWNERSHIP_RENTED,
};

export function ownershipFromPb(value: PbOwnership): Ownership | undefined {
  switch (value) {
    case PbOwnership.OWNERSHIP_OWNED:
      return 'owned';
    case PbOwnership.OWNERSHIP_RENTED:
      return 'rented';
    case PbOwnership.OWNERSHIP_ANY:
    case PbOwnership.OWNERSHIP_UNSPECIFIED:
      return 'any';
    default:
      return undefined;
  }
}

export function dnsModeFromPb(value: DnsOptions_Mode): DnsMode | undefined {
  switch (value) {
    case DnsOptions_Mode.MODE_CUSTOM:
      return 'custom';
    case DnsOptions_Mode.MODE_DEFAULT:
    case DnsOptions_Mode.MODE_UNSPECIFIED:
      return 'default';
    default:
      return undefined;
  }
}

export function dnsModeToPb(mode: DnsMode): DnsOptions_Mode {
  return mode === 'custom' ? DnsOptions_Mode.MODE_CUSTOM : DnsOptions_Mode.MODE_DEFAULT;
}

export function locationToPb(location: LocationConstraint): pb.LocationConstraint {
  return { country: location.country, city: location.city, hostname: location.hostname };
}

export function locationFromPb(location: pb.LocationConstraint | undefined): LocationConstraint {
  const out: LocationConstraint = {};
  if (location?.country) out.country = location.country;
  if (location?.city) out.city = location.city;
  if (location?.hostname) out.hostname = location.hostname;
  return out;
}

export function relayConstraintsToPb(constraints: RelayConstraints): pb.RelayConstraints {
  return {
    location: locationToPb(constraints.location),
    providers: [...constraints.providers],
    ownership: ownershipToPb[constraints.ownership],
  };
}

export function settingsToPb(settings: SluiceSettings): pb.Settings {
  return {
    lockdownMode: settings.lockdownMode,
    allowLan: settings.allowLan,
    autoConnect: settings.autoConnect,
    dns: { mode: dnsModeToPb(settings.dns.mode), customServers: [...settings.dns.customServers] },
    tunnel: {
      mtu: settings.tunnel.mtu ?? undefined,
      enableIpv6: settings.tunnel.enableIpv6,
      wireguardPort: settings.tunnel.wireguardPort ?? undefined,
    },
    bypassRanges: [...settings.bypassRanges],
    relayConstraints: relayConstraintsToPb(settings.relayConstraints),
    splitTunnel: { enabled: settings.splitTunnel.enabled, apps: [...settings.splitTunnel.apps] },
  };
}

/** Wire settings to domain settings (what a client received; the helper never takes settings whole). */
export function settingsFromPb(settings: pb.Settings): SluiceSettings {
  return {
    lockdownMode: settings.lockdownMode,
    allowLan: settings.allowLan,
    autoConnect: settings.autoConnect,
    dns: {
      mode: dnsModeFromPb(settings.dns?.mode ?? DnsOptions_Mode.MODE_DEFAULT) ?? 'default',
      customServers: [...(settings.dns?.customServers ?? [])],
    },
    tunnel: {
      mtu: settings.tunnel?.mtu ?? null,
      enableIpv6: settings.tunnel?.enableIpv6 ?? true,
      wireguardPort: settings.tunnel?.wireguardPort ?? null,
    },
    bypassRanges: [...settings.bypassRanges],
    relayConstraints: {
      location: locationFromPb(settings.relayConstraints?.location),
      providers: [...(settings.relayConstraints?.providers ?? [])],
      ownership: ownershipFromPb(settings.relayConstraints?.ownership ?? PbOwnership.OWNERSHIP_ANY) ?? 'any',
    },
    splitTunnel: {
      enabled: settings.splitTunnel?.enabled ?? false,
      apps: [...(settings.splitTunnel?.apps ?? [])],
    },
  };
}
