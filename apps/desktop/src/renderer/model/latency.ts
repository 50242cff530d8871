// Latency per relay as the helper measured it (it probes outside the tunnel; the renderer opens no
// connections). A relay without a measurement shows nothing: never an invented number. Pure.
import type { LatencyView } from '../../shared/ipc';
import type { CityNode, CountryNode, RelayNode } from './location-tree';

export type LatencySource = (hostname: string) => number | undefined;

export function latencySourceOf(latency: Readonly<Record<string, LatencyView>>): LatencySource {
  return (hostname) => {
    const view = Object.hasOwn(latency, hostname) ? latency[hostname] : undefined;
    return view && 'rttMs' in view ? view.rttMs : undefined;
  };
}

/** "0.4 ms" under 10 ms (a LAN relay is not "0 ms"), else whole milliseconds. */
export function formatLatency(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export type LatencyGrade = 'fast' | 'medium' | 'slow';

/** Colour bands: fine for anything (< 60 ms), fine for browsing (< 150 ms), noticeably slow. */
export function latencyGrade(ms: number): LatencyGrade {
  if (ms < 60) return 'fast';
  if (ms < 150) return 'medium';
  return 'slow';
}

/** The smallest measured time of the active relays in a city; undefined when none is measured. */
export function cityLatency(city: CityNode, source: LatencySource): number | undefined {
  return best(city.relays.filter((node) => node.relay.active).map((node) => source(node.relay.hostname)));
}

export function countryLatency(country: CountryNode, source: LatencySource): number | undefined {
  return best(country.cities.map((city) => cityLatency(city, source)));
}

function best(values: readonly (number | undefined)[]): number | undefined {
  let out: number | undefined;
  for (const value of values) if (value !== undefined && (out === undefined || value < out)) out = value;
  return out;
}

/** The fastest active relay of the tree (under the filters), with its time; undefined when none is measured. */
export function fastestRelay(
  countries: readonly CountryNode[],
  source: LatencySource,
): { node: RelayNode; ms: number } | undefined {
  let out: { node: RelayNode; ms: number } | undefined;
  for (const country of countries)
    for (const city of country.cities)
      for (const node of city.relays) {
        const ms = node.relay.active ? source(node.relay.hostname) : undefined;
        if (ms !== undefined && (out === undefined || ms < out.ms)) out = { node, ms };
      }
  return out;
}

/** Measured first, fastest first; unmeasured after, in their existing (name) order. */
function byLatency<T>(items: readonly T[], time: (item: T) => number | undefined): T[] {
  return items
    .map((item, position) => ({ item, position, ms: time(item) }))
    .sort((a, b) => {
      if (a.ms === undefined || b.ms === undefined) {
        if (a.ms !== b.ms) return a.ms === undefined ? 1 : -1;
        return a.position - b.position;
      }
      return a.ms - b.ms || a.position - b.position;
    })
    .map(({ item }) => item);
}

/** The tree sorted by latency at every level: relays in a city, cities by their best, countries by theirs. */
export function sortByLatency(countries: readonly CountryNode[], source: LatencySource): CountryNode[] {
  const sorted = countries.map((country) => ({
    ...country,
    cities: byLatency(
      country.cities.map((city) => ({
        ...city,
        relays: byLatency(city.relays, (node) => source(node.relay.hostname)),
      })),
      (city) => cityLatency(city, source),
    ),
  }));
  return byLatency(sorted, (country) => countryLatency(country, source));
}
