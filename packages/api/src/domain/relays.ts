// The relay list: the domain shape (also Sluice's relay-list JSON file format) and its wire conversion.
import { z } from 'zod';
import type * as pb from '../gen/sluice/v1/relays.js';

const portRangeSchema = z.object({
  first: z.number().int().min(1).max(65535),
  last: z.number().int().min(1).max(65535),
});

export const relaySchema = z.object({
  hostname: z.string().min(1),
  ipv4AddrIn: z.string().default(''),
  ipv6AddrIn: z.string().default(''),
  publicKey: z.string().min(1),
  provider: z.string().default(''),
  owned: z.boolean().default(false),
  active: z.boolean().default(true),
  weight: z.number().int().min(0).default(100),
  /** A fixed port for this relay (wg-quick imports); absent means the list's port ranges. */
  port: z.number().int().min(1).max(65535).optional(),
  /** In-tunnel resolvers for this relay when they differ from the list's gateways (wg-quick DNS =). */
  dnsServers: z.array(z.string()).default([]),
  /**
   * The provider routes only IPv4 through this relay (a wg-quick file whose AllowedIPs has no ::/0):
   * IPv6 is then blocked rather than sent into a tunnel that drops it.
   */
  tunnelIpv4Only: z.boolean().default(false),
});

export const citySchema = z.object({
  code: z.string().min(1),
  name: z.string().default(''),
  latitude: z.number().default(0),
  longitude: z.number().default(0),
  relays: z.array(relaySchema).default([]),
});

export const countrySchema = z.object({
  code: z.string().min(1),
  name: z.string().default(''),
  cities: z.array(citySchema).default([]),
});

export const wireguardEndpointSchema = z.object({
  portRanges: z.array(portRangeSchema).default([{ first: 51820, last: 51820 }]),
  ipv4Gateway: z.string().default(''),
  ipv6Gateway: z.string().default(''),
});

/** Sluice's relay-list JSON (what the helper stores in <state-dir>/relays.json and imports). */
export const relayListSchema = z.object({
  version: z.literal(1).default(1),
  source: z.string().default(''),
  updatedAt: z.string().optional(),
  wireguard: wireguardEndpointSchema.prefault({}),
  countries: z.array(countrySchema).default([]),
});

export type Relay = z.infer<typeof relaySchema>;
export type City = z.infer<typeof citySchema>;
export type Country = z.infer<typeof countrySchema>;
export type WireguardEndpointData = z.infer<typeof wireguardEndpointSchema>;
export type RelayList = z.infer<typeof relayListSchema>;

export function emptyRelayList(): RelayList {
  return relayListSchema.parse({});
}

export function relayListToPb(list: RelayList): pb.RelayList {
  return {
    source: list.source,
    updatedAt: list.updatedAt === undefined ? undefined : new Date(list.updatedAt),
    wireguard: {
      portRanges: list.wireguard.portRanges.map((r) => ({ first: r.first, last: r.last })),
      ipv4Gateway: list.wireguard.ipv4Gateway,
      ipv6Gateway: list.wireguard.ipv6Gateway,
    },
    countries: list.countries.map((country) => ({
      code: country.code,
      name: country.name,
      cities: country.cities.map((city) => ({
        code: city.code,
        name: city.name,
        latitude: city.latitude,
        longitude: city.longitude,
        relays: city.relays.map((relay) => ({ ...relay, dnsServers: [...relay.dnsServers] })),
      })),
    })),
  };
}

export function relayListFromPb(list: pb.RelayList): RelayList {
  return relayListSchema.parse({
    source: list.source,
    updatedAt: list.updatedAt?.toISOString(),
    wireguard: list.wireguard,
    countries: list.countries,
  });
}

/** A relay with where it is, as selection and the UI want it. */
export interface LocatedRelay {
  relay: Relay;
  country: Pick<Country, 'code' | 'name'>;
  city: Pick<City, 'code' | 'name'>;
}

export function allRelays(list: RelayList): LocatedRelay[] {
  return list.countries.flatMap((country) =>
    country.cities.flatMap((city) =>
      city.relays.map((relay) => ({
        relay,
        country: { code: country.code, name: country.name },
        city: { code: city.code, name: city.name },
      })),
    ),
  );
}
