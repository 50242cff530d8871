// The Select location tree as data: countries -> cities -> relays, narrowed by the relay filters the
// helper applies (provider, ownership) and by the search text. Pure, so it is cheap to test and memoise.
import type { Relay, RelayList } from '@sluice/api/domain';

import type { RelayFilters } from '../../shared/settings';

export type { RelayFilters } from '../../shared/settings';

export interface RelayNode {
  relay: Relay;
  countryCode: string;
  cityCode: string;
}

export interface CityNode {
  key: string;
  code: string;
  name: string;
  countryCode: string;
  countryName: string;
  relays: RelayNode[];
  activeCount: number;
}

export interface CountryNode {
  key: string;
  code: string;
  name: string;
  cities: CityNode[];
  relayCount: number;
  activeCount: number;
}

export const cityKey = (countryCode: string, cityCode: string): string => `${countryCode}/${cityCode}`;

export function relayMatchesFilters(relay: Relay, filters: RelayFilters): boolean {
  if (filters.providers.length > 0 && !filters.providers.includes(relay.provider)) return false;
  if (filters.ownership === 'owned') return relay.owned;
  if (filters.ownership === 'rented') return !relay.owned;
  return true;
}

const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);

/** The whole tree under the filters, sorted by name; places with no matching relay are left out. */
export function buildLocationTree(list: RelayList | undefined, filters: RelayFilters): CountryNode[] {
  if (!list) return [];
  const countries: CountryNode[] = [];
  for (const country of list.countries) {
    const name = country.name || country.code;
    const cities: CityNode[] = [];
    for (const city of country.cities) {
      const relays = city.relays
        .filter((relay) => relayMatchesFilters(relay, filters))
        .sort((a, b) => a.hostname.localeCompare(b.hostname))
        .map((relay) => ({ relay, countryCode: country.code, cityCode: city.code }));
      if (relays.length === 0) continue;
      cities.push({
        key: cityKey(country.code, city.code),
        code: city.code,
        name: city.name || city.code,
        countryCode: country.code,
        countryName: name,
        relays,
        activeCount: relays.filter((r) => r.relay.active).length,
      });
    }
    if (cities.length === 0) continue;
    cities.sort(byName);
    countries.push({
      key: country.code,
      code: country.code,
      name,
      cities,
      relayCount: cities.reduce((n, c) => n + c.relays.length, 0),
      activeCount: cities.reduce((n, c) => n + c.activeCount, 0),
    });
  }
  return countries.sort(byName);
}

export interface SearchResult {
  countries: CountryNode[];
  /** Keys (country code, "country/city") to open so that every match is in view. */
  expand: Set<string>;
}

/**
 * Keep what matches the text (case-insensitive) in a country's name or code, a city's name or code, or a
 * hostname. A matching country keeps all its cities, a matching city all its relays; a match deeper down
 * opens the branches above it. Counts stay those of the whole place, so they do not jump while typing.
 */
export function searchLocationTree(tree: readonly CountryNode[], query: string): SearchResult {
  const text = query.trim().toLowerCase();
  const expand = new Set<string>();
  if (text === '') return { countries: [...tree], expand };
  const hit = (...values: string[]): boolean => values.some((v) => v.toLowerCase().includes(text));

  const countries: CountryNode[] = [];
  for (const country of tree) {
    if (hit(country.name, country.code)) {
      countries.push(country);
      continue;
    }
    const cities: CityNode[] = [];
    for (const city of country.cities) {
      if (hit(city.name, city.code)) {
        cities.push(city);
        continue;
      }
      const relays = city.relays.filter((r) => hit(r.relay.hostname));
      if (relays.length === 0) continue;
      cities.push({ ...city, relays });
      expand.add(city.key);
    }
    if (cities.length === 0) continue;
    countries.push({ ...country, cities });
    expand.add(country.key);
  }
  return { countries, expand };
}

/** Providers present in the list, sorted, with how many relays each runs. */
export function providersIn(list: RelayList | undefined): { name: string; relayCount: number }[] {
  const counts = new Map<string, number>();
  for (const country of list?.countries ?? []) {
    for (const city of country.cities) {
      for (const relay of city.relays) {
        if (relay.provider) counts.set(relay.provider, (counts.get(relay.provider) ?? 0) + 1);
      }
    }
  }
  return [...counts]
    .map(([name, relayCount]) => ({ name, relayCount }))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }));
}

/** Find a relay (with its place) in the tree. */
export function findRelay(tree: readonly CountryNode[], hostname: string): RelayNode | undefined {
  for (const country of tree) {
    for (const city of country.cities) {
      const found = city.relays.find((r) => r.relay.hostname === hostname);
      if (found) return found;
    }
  }
  return undefined;
}

export function findCity(tree: readonly CountryNode[], key: string): CityNode | undefined {
  for (const country of tree) {
    const found = country.cities.find((c) => c.key === key);
    if (found) return found;
  }
  return undefined;
}
