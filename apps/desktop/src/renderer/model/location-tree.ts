// The Select location tree as data: countries -> cities -> relays, narrowed by the relay filters the
// helper applies (provider, ownership) and by the search text. Pure, so it is cheap to test and memoise.
import type { Relay, RelayList } from '@sluice/api/domain';

import type { RelayFilters } from '../../shared/settings';

export type { RelayFilters } from '../../shared/settings';

export interface RelayNode {
  relay: Relay;
  countryCode: string;
  cityCode: string;
  /** The hostname in lower case, made once so a search does not lower-case thousands per keystroke. */
  searchKey: string;
}

export interface CityNode {
  key: string;
  code: string;
  name: string;
  countryCode: string;
  countryName: string;
  relays: RelayNode[];
  activeCount: number;
  /** Name and code in lower case, for the search. */
  searchKey: string;
}

export interface CountryNode {
  key: string;
  code: string;
  name: string;
  cities: CityNode[];
  relayCount: number;
  /** Name and code in lower case, for the search. */
  searchKey: string;
  activeCount: number;
}

export const cityKey = (countryCode: string, cityCode: string): string => `${countryCode}/${cityCode}`;

export function relayMatchesFilters(relay: Relay, filters: RelayFilters): boolean {
  if (filters.providers.length > 0 && !filters.providers.includes(relay.provider)) return false;
  if (filters.ownership === 'owned') return relay.owned;
  if (filters.ownership === 'rented') return !relay.owned;
  return true;
}

// One collator for every comparison: String.localeCompare sets one up per call, which thousands of
// hostnames feel.
const collator = new Intl.Collator();
const byName = (a: { name: string }, b: { name: string }): number => collator.compare(a.name, b.name);
// Hostnames are ASCII: plain code-unit order is the order, and much cheaper than a collation.
const byHostname = (a: Relay, b: Relay): number =>
  a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0;

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
        .sort(byHostname)
        .map((relay) => ({
          relay,
          countryCode: country.code,
          cityCode: city.code,
          searchKey: relay.hostname.toLowerCase(),
        }));
      if (relays.length === 0) continue;
      cities.push({
        key: cityKey(country.code, city.code),
        code: city.code,
        name: city.name || city.code,
        countryCode: country.code,
        countryName: name,
        relays,
        activeCount: relays.filter((r) => r.relay.active).length,
        searchKey: `${city.name || city.code}\n${city.code}`.toLowerCase(),
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
      searchKey: `${name}\n${country.code}`.toLowerCase(),
    });
  }
  return countries.sort(byName);
}

const builtTrees = new WeakMap<RelayList, Map<string, CountryNode[]>>();

/**
 * buildLocationTree, remembered per relay list and filters: the list is built once (thousands of relays
 * take tens of milliseconds), not on every open of the picker. The store warms it when a list arrives.
 */
export function locationTreeFor(list: RelayList | undefined, filters: RelayFilters): CountryNode[] {
  if (!list) return [];
  const key = `${filters.ownership}\n${[...filters.providers].sort().join('\n')}`;
  let byFilters = builtTrees.get(list);
  if (!byFilters) {
    byFilters = new Map();
    builtTrees.set(list, byFilters);
  }
  let tree = byFilters.get(key);
  if (!tree) {
    tree = buildLocationTree(list, filters);
    byFilters.set(key, tree);
  }
  return tree;
}

export interface SearchResult {
  countries: CountryNode[];
  /** Keys (country code, "country/city") to open so that every match is in view. */
  expand: Set<string>;
}

/**
 * At most about this many rows are opened by a search: a short search in a list of thousands ("d")
 * matches hundreds of relays, and opening them all would cost a keystroke a quarter of a second. What
 * is not opened is still listed, closed, with its count, one click away.
 */
export const SEARCH_OPEN_ROWS = 80;

/**
 * Keep what matches the text (case-insensitive; one letter only at the start of a word) in a country's
 * name or code, a city's name or code, or a hostname. A matching country keeps all its cities, a matching city all its relays; a match deeper down
 * opens the branches above it, the first SEARCH_OPEN_ROWS rows' worth of them. Counts stay those of the
 * whole place, so they do not jump while typing.
 */
export function searchLocationTree(tree: readonly CountryNode[], query: string): SearchResult {
  const text = query.trim().toLowerCase();
  const expand = new Set<string>();
  if (text === '') return { countries: [...tree], expand };
  let openRows = SEARCH_OPEN_ROWS;
  // One letter matches where a word starts ("s": Sweden, São Paulo, se-got-…), as launchers do: anywhere
  // inside, it would match nearly everything and help no one. Two letters or more match anywhere.
  const hit =
    text.length === 1
      ? (key: string): boolean =>
          key.startsWith(text) ||
          key.includes(`\n${text}`) ||
          key.includes(` ${text}`) ||
          key.includes(`-${text}`)
      : (key: string): boolean => key.includes(text);

  const countries: CountryNode[] = [];
  for (const country of tree) {
    if (hit(country.searchKey)) {
      countries.push(country);
      continue;
    }
    const cities: CityNode[] = [];
    for (const city of country.cities) {
      if (hit(city.searchKey)) {
        cities.push(city);
        continue;
      }
      const relays = city.relays.filter((r) => hit(r.searchKey));
      if (relays.length === 0) continue;
      cities.push({ ...city, relays });
      if (relays.length <= openRows) {
        expand.add(city.key);
        openRows -= relays.length;
      }
    }
    if (cities.length === 0) continue;
    countries.push({ ...country, cities });
    const citiesOpened = cities.some((city) => expand.has(city.key));
    if (citiesOpened || cities.length <= openRows) {
      expand.add(country.key);
      openRows -= cities.length;
    }
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
