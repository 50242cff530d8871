// Puts imported relays into a relay list: merged (a relay with a known hostname is replaced, wherever it
// was) or replacing the list. Countries and cities are created as needed, emptied ones removed.
import {
  emptyRelayList,
  type City,
  type Country,
  type RelayList,
  type WireguardEndpointData,
} from '@sluice/api/domain';
import { cityName, countryName } from './names.js';
import type { ImportedRelay } from './parsed.js';
import type { PresharedKeys } from './sluice-json.js';

export interface MergeOptions {
  replace: boolean;
  /** List-wide data from the imported relay lists, if any; otherwise the existing list's is kept. */
  wireguard?: WireguardEndpointData;
  /** What to record as the list's source when the import starts a new list. */
  source: string;
  now: Date;
}

export function mergeRelays(
  base: RelayList,
  imported: readonly ImportedRelay[],
  options: MergeOptions,
): RelayList {
  const start = options.replace ? emptyRelayList() : structuredClone(base);
  const incoming = new Set(imported.map((item) => item.relay.hostname));
  for (const country of start.countries) {
    for (const city of country.cities) city.relays = city.relays.filter((r) => !incoming.has(r.hostname));
  }

  for (const item of imported) {
    const country = findOrAdd(start.countries, item.country.code, () => ({
      code: item.country.code,
      name: countryName(item.country.code),
      cities: [],
    }));
    // Relay-list formats name their places; those names beat the built-in table or an older import.
    if (item.country.name) country.name = item.country.name;
    const city = findOrAdd(country.cities, item.city.code, () => ({
      code: item.city.code,
      name: cityName(item.country.code, item.city.code),
      latitude: 0,
      longitude: 0,
      relays: [],
    }));
    if (item.city.name) city.name = item.city.name;
    if (item.city.latitude !== undefined) city.latitude = item.city.latitude;
    if (item.city.longitude !== undefined) city.longitude = item.city.longitude;
    city.relays.push({ ...item.relay, dnsServers: [...item.relay.dnsServers] });
  }

  const countries = start.countries
    .map((country) => ({
      ...country,
      cities: country.cities
        .filter((city) => city.relays.length > 0)
        .map((city) => ({ ...city, relays: city.relays.sort((a, b) => byText(a.hostname, b.hostname)) }))
        .sort(byNameThenCode),
    }))
    .filter((country) => country.cities.length > 0)
    .sort(byNameThenCode);

  const startsNewList = options.replace || base.countries.length === 0 || base.source === '';
  return {
    ...start,
    source: startsNewList ? options.source : base.source,
    updatedAt: options.now.toISOString(),
    wireguard: options.wireguard ? structuredClone(options.wireguard) : start.wireguard,
    countries,
  };
}

/** The pre-shared keys after the same merge: imported relays bring theirs (or none), others keep theirs. */
export function mergePresharedKeys(
  base: PresharedKeys,
  imported: readonly ImportedRelay[],
  list: RelayList,
  replace: boolean,
): PresharedKeys {
  const incoming = new Set(imported.map((item) => item.relay.hostname));
  const present = new Set(
    list.countries.flatMap((c) => c.cities.flatMap((t) => t.relays.map((r) => r.hostname))),
  );
  const keys: PresharedKeys = {};
  if (!replace) {
    for (const [hostname, key] of Object.entries(base)) {
      if (!incoming.has(hostname) && present.has(hostname)) keys[hostname] = key;
    }
  }
  for (const item of imported)
    if (item.presharedKey !== undefined) keys[item.relay.hostname] = item.presharedKey;
  return keys;
}

function findOrAdd<T extends Country | City>(items: T[], code: string, make: () => T): T {
  const found = items.find((item) => item.code === code);
  if (found) return found;
  const made = make();
  items.push(made);
  return made;
}

function byText(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function byNameThenCode(a: { name: string; code: string }, b: { name: string; code: string }): number {
  return byText(a.name, b.name) || byText(a.code, b.code);
}
