// Does a location constraint name something in the relay list? Pure, for validation and selection.
import { describeLocation, type LocationConstraint } from '@sluice/api/domain';

/** What location checks read of a relay list: both the wire list (pb.RelayList) and the domain one fit. */
export interface RelayListPlaces {
  countries: readonly {
    code: string;
    name: string;
    cities: readonly { code: string; relays: readonly { hostname: string }[] }[];
  }[];
}

/** Undefined when `location` matches the list, else a message naming the first part that does not. */
export function unknownLocation(list: RelayListPlaces, location: LocationConstraint): string | undefined {
  if (!location.country) return undefined;
  const country = list.countries.find((c) => c.code === location.country);
  if (!country) {
    const known = list.countries.map((c) => c.code).join(', ');
    return `no country "${location.country}" in the relay list (known: ${known || 'none'})`;
  }
  if (!location.city) return undefined;
  const city = country.cities.find((c) => c.code === location.city);
  if (!city) {
    return `no city "${location.city}" in ${country.name || country.code} (known: ${country.cities.map((c) => c.code).join(', ')})`;
  }
  if (!location.hostname) return undefined;
  if (!city.relays.some((r) => r.hostname === location.hostname)) {
    return `no relay "${location.hostname}" in ${describeLocation({ country: country.code, city: city.code })}`;
  }
  return undefined;
}
