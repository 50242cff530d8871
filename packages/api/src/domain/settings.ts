// The settings domain model: the shape the helper persists and both clients show.
import { z } from 'zod';
import { MTU_MAX, MTU_MIN } from './validate.js';

export const OWNERSHIPS = ['any', 'owned', 'rented'] as const;
export type Ownership = (typeof OWNERSHIPS)[number];

export const DNS_MODES = ['default', 'custom'] as const;
export type DnsMode = (typeof DNS_MODES)[number];

const locationSchema = z.object({
  country: z.string().optional(),
  city: z.string().optional(),
  hostname: z.string().optional(),
});

/**
 * The persisted settings. Every field has a default, so a file written by an older helper of the same
 * schema version (missing newer fields) still loads; fields this version does not know are dropped.
 */
export const settingsSchema = z.object({
  lockdownMode: z.boolean().default(false),
  allowLan: z.boolean().default(false),
  autoConnect: z.boolean().default(false),
  dns: z
    .object({
      mode: z.enum(DNS_MODES).default('default'),
      customServers: z.array(z.string()).default([]),
    })
    .prefault({}),
  tunnel: z
    .object({
      mtu: z.number().int().min(MTU_MIN).max(MTU_MAX).nullable().default(null),
      enableIpv6: z.boolean().default(true),
      wireguardPort: z.number().int().min(1).max(65535).nullable().default(null),
    })
    .prefault({}),
  bypassRanges: z.array(z.string()).default([]),
  relayConstraints: z
    .object({
      location: locationSchema.default({}),
      providers: z.array(z.string()).default([]),
      ownership: z.enum(OWNERSHIPS).default('any'),
    })
    .prefault({}),
  splitTunnel: z
    .object({
      enabled: z.boolean().default(false),
      apps: z.array(z.string()).default([]),
    })
    .prefault({}),
});

export type SluiceSettings = z.infer<typeof settingsSchema>;
export type LocationConstraint = SluiceSettings['relayConstraints']['location'];
export type RelayConstraints = SluiceSettings['relayConstraints'];

export function defaultSettings(): SluiceSettings {
  return settingsSchema.parse({});
}

/** A location constraint in words: "any", "se", "se got", "se got se-got-wg-001". */
export function describeLocation(location: LocationConstraint): string {
  const parts = [location.country, location.city, location.hostname].filter((p): p is string => !!p);
  return parts.length === 0 ? 'any' : parts.join(' ');
}
