// Starred cities and relays, above the tree. Shown under the same filters and search as the tree, so
// everything listed can be picked.
import type { ReactNode } from 'react';
import { findCity, findRelay, type CountryNode } from '../../model/location-tree';
import { CityBranch, RelayRow, type TreeContext } from './LocationTree';

export function FavouritesSection({
  tree,
  query,
  context,
}: {
  /** The filtered (not searched) tree, to find favourites in. */
  tree: readonly CountryNode[];
  query: string;
  context: TreeContext;
}): ReactNode {
  const text = query.trim().toLowerCase();
  const matches = (...values: string[]): boolean =>
    text === '' || values.some((v) => v.toLowerCase().includes(text));

  const cities = context.favourites.cities
    .map((key) => findCity(tree, key))
    .filter((city) => city !== undefined)
    .filter((city) => matches(city.name, city.code, city.countryName));
  const relays = context.favourites.relays
    .map((hostname) => {
      const node = findRelay(tree, hostname);
      const city = node && findCity(tree, `${node.countryCode}/${node.cityCode}`);
      return node && city ? { node, place: `${city.name}, ${city.countryName}` } : undefined;
    })
    .filter((entry) => entry !== undefined)
    .filter((entry) => matches(entry.node.relay.hostname, entry.place));
  if (cities.length === 0 && relays.length === 0) return null;

  return (
    <section className="location-section" aria-labelledby="favourites-heading">
      <h2 id="favourites-heading" className="section-title">
        Favourites
      </h2>
      <ul className="tree" aria-label="Favourites">
        {cities.map((city) => (
          <CityBranch key={city.key} city={city} context={context} showCountry />
        ))}
        {relays.map(({ node, place }) => (
          <li key={node.relay.hostname}>
            <RelayRow node={node} context={context} place={place} />
          </li>
        ))}
      </ul>
    </section>
  );
}
