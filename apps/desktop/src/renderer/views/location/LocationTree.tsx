// The tree country -> city -> relay. Only open branches are rendered, which keeps a 577-relay list fast.
import { useId, type ReactNode } from 'react';
import type { LocationConstraint } from '@sluice/api/domain';
import {
  cityLatency,
  countryLatency,
  formatLatency,
  latencyGrade,
  type LatencySource,
} from '../../model/latency';
import { countRelays } from '../../model/format';
import type { CityNode, CountryNode, RelayNode } from '../../model/location-tree';
import type { Favourites } from '../../store/favourites';
import { LocationRow } from './rows';

export interface TreeActions {
  isExpanded: (key: string) => boolean;
  toggleExpanded: (key: string) => void;
  pick: (location: LocationConstraint) => void;
  toggleFavouriteCity: (key: string) => void;
  toggleFavouriteRelay: (hostname: string) => void;
}

export interface TreeContext extends TreeActions {
  selected: LocationConstraint | undefined;
  favourites: Favourites;
  latency: LatencySource;
}

export function LocationTree({
  countries,
  context,
}: {
  countries: readonly CountryNode[];
  context: TreeContext;
}): ReactNode {
  return (
    <ul className="tree" aria-label="Countries">
      {countries.map((country) => (
        <CountryBranch key={country.key} country={country} context={context} />
      ))}
    </ul>
  );
}

function latencyLabel(
  ms: number | undefined,
): { text: string; grade: ReturnType<typeof latencyGrade> } | undefined {
  return ms === undefined ? undefined : { text: formatLatency(ms), grade: latencyGrade(ms) };
}

function placeDescription(relayCount: number, activeCount: number): string {
  if (activeCount === 0) return `offline, ${countRelays(relayCount)}`;
  return countRelays(relayCount);
}

function CountryBranch({ country, context }: { country: CountryNode; context: TreeContext }): ReactNode {
  const listId = useId();
  const expanded = context.isExpanded(country.key);
  const { selected } = context;
  return (
    <li>
      <LocationRow
        level="country"
        name={country.name}
        description={placeDescription(country.relayCount, country.activeCount)}
        inactive={country.activeCount === 0}
        selected={selected?.country === country.code && !selected.city && !selected.hostname}
        onPick={() => context.pick({ country: country.code })}
        latency={latencyLabel(countryLatency(country, context.latency))}
        expand={{
          expanded,
          label: `Cities in ${country.name}`,
          controls: listId,
          onToggle: () => context.toggleExpanded(country.key),
        }}
      />
      {expanded && (
        <ul id={listId} className="tree-children">
          {country.cities.map((city) => (
            <CityBranch key={city.key} city={city} context={context} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function CityBranch({
  city,
  context,
  showCountry = false,
}: {
  city: CityNode;
  context: TreeContext;
  /** In Favourites the city stands alone, so its country goes into the description. */
  showCountry?: boolean;
}): ReactNode {
  const listId = useId();
  const expandKey = showCountry ? `favourite:${city.key}` : city.key;
  const expanded = context.isExpanded(expandKey);
  const { selected } = context;
  const count = placeDescription(city.relays.length, city.activeCount);
  return (
    <li>
      <LocationRow
        level="city"
        name={city.name}
        description={showCountry ? `${city.countryName}, ${count}` : count}
        inactive={city.activeCount === 0}
        selected={selected?.country === city.countryCode && selected.city === city.code && !selected.hostname}
        onPick={() => context.pick({ country: city.countryCode, city: city.code })}
        latency={latencyLabel(cityLatency(city, context.latency))}
        expand={{
          expanded,
          label: `Relays in ${city.name}`,
          controls: listId,
          onToggle: () => context.toggleExpanded(expandKey),
        }}
        favourite={{
          starred: context.favourites.cities.includes(city.key),
          onToggle: () => context.toggleFavouriteCity(city.key),
        }}
      />
      {expanded && (
        <ul id={listId} className="tree-children">
          {city.relays.map((node) => (
            <li key={node.relay.hostname}>
              <RelayRow node={node} context={context} />
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

export function RelayRow({
  node,
  context,
  place,
}: {
  node: RelayNode;
  context: TreeContext;
  /** Where it is, for rows outside the tree (Favourites). */
  place?: string;
}): ReactNode {
  const { relay } = node;
  const latency = context.latency(relay.hostname);
  // In Favourites the place says more than the provider; in the tree the place is the branch above.
  const what = place ?? [relay.provider, relay.owned ? 'owned' : ''].filter(Boolean).join(', ');
  return (
    <LocationRow
      level="relay"
      name={relay.hostname}
      description={relay.active ? what : `offline${what ? `, ${what}` : ''}`}
      inactive={!relay.active}
      selected={context.selected?.hostname === relay.hostname}
      onPick={() =>
        context.pick({ country: node.countryCode, city: node.cityCode, hostname: relay.hostname })
      }
      favourite={{
        starred: context.favourites.relays.includes(relay.hostname),
        onToggle: () => context.toggleFavouriteRelay(relay.hostname),
      }}
      latency={latencyLabel(latency)}
    />
  );
}
