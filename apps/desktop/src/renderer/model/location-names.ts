// Location constraints in words, with names from the relay list ("Gothenburg, Sweden") and codes as
// the fallback when the list does not know them (it may not have arrived yet).
import type { LocationConstraint, RelayList } from '@sluice/api/domain';

export function countryName(list: RelayList | undefined, countryCode: string): string {
  const country = list?.countries.find((c) => c.code === countryCode);
  return country?.name || countryCode;
}

export function cityName(list: RelayList | undefined, countryCode: string, cityCode: string): string {
  const city = list?.countries.find((c) => c.code === countryCode)?.cities.find((c) => c.code === cityCode);
  return city?.name || cityCode;
}

/** "Any location", "Sweden", "Gothenburg, Sweden", "se-got-wg-001 (Gothenburg, Sweden)". */
export function describeConstraint(location: LocationConstraint, list: RelayList | undefined): string {
  const { country, city, hostname } = location;
  if (!country) return hostname ?? 'Any location';
  const place = city
    ? `${cityName(list, country, city)}, ${countryName(list, country)}`
    : countryName(list, country);
  return hostname ? `${hostname} (${place})` : place;
}

export function sameLocation(a: LocationConstraint, b: LocationConstraint): boolean {
  return (
    (a.country ?? '') === (b.country ?? '') &&
    (a.city ?? '') === (b.city ?? '') &&
    (a.hostname ?? '') === (b.hostname ?? '')
  );
}

/** A connected relay's place in words (the tunnel status carries codes). */
export function describeRelayPlace(
  relay: { country: string; city: string },
  list: RelayList | undefined,
): string {
  return `${cityName(list, relay.country, relay.city)}, ${countryName(list, relay.country)}`;
}
