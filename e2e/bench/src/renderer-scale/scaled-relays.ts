// A relay list of any size from the Mullvad fixture (577 relays in 50 countries): the real list first,
// then copies with new hostnames in the same cities, as a provider with more servers would have. Pure.

interface MullvadLocation {
  country: string;
  city: string;
  latitude: number;
  longitude: number;
}

interface MullvadRelay {
  hostname: string;
  location: string;
  active: boolean;
  owned: boolean;
  provider: string;
  ipv4_addr_in: string;
  ipv6_addr_in?: string;
  public_key: string;
}

export interface FixtureRelay {
  hostname: string;
  ipv4AddrIn: string;
  ipv6AddrIn: string;
  publicKey: string;
  provider: string;
  owned: boolean;
  active: boolean;
}

export interface FixtureRelayList {
  version: 1;
  source: string;
  wireguard: { portRanges: { first: number; last: number }[]; ipv4Gateway: string; ipv6Gateway: string };
  countries: {
    code: string;
    name: string;
    cities: { code: string; name: string; latitude: number; longitude: number; relays: FixtureRelay[] }[];
  }[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function parseFixture(document: unknown): {
  locations: Map<string, MullvadLocation>;
  relays: MullvadRelay[];
} {
  if (!isRecord(document) || !isRecord(document.locations) || !isRecord(document.wireguard))
    throw new Error('not a Mullvad relay list: no locations or wireguard');
  const locations = new Map<string, MullvadLocation>();
  for (const [code, value] of Object.entries(document.locations)) {
    if (!isRecord(value) || typeof value.country !== 'string' || typeof value.city !== 'string') continue;
    locations.set(code, {
      country: value.country,
      city: value.city,
      latitude: typeof value.latitude === 'number' ? value.latitude : 0,
      longitude: typeof value.longitude === 'number' ? value.longitude : 0,
    });
  }
  const list = document.wireguard.relays;
  if (!Array.isArray(list)) throw new Error('not a Mullvad relay list: no wireguard.relays');
  const relays = list.filter(
    (relay): relay is MullvadRelay =>
      isRecord(relay) && typeof relay.hostname === 'string' && typeof relay.location === 'string',
  );
  return { locations, relays };
}

/** `count` relays (the fixture's, then renamed copies) as a Sluice relay list. */
export function scaledRelayList(document: unknown, count: number): FixtureRelayList {
  const { locations, relays } = parseFixture(document);
  if (relays.length === 0) throw new Error('the fixture has no relays');
  const countries = new Map<string, FixtureRelayList['countries'][number]>();
  const taken = new Set(relays.map((relay) => relay.hostname));
  for (let index = 0; index < count; index++) {
    const source = relays[index % relays.length];
    if (!source) continue;
    const copy = Math.floor(index / relays.length);
    const [countryCode = 'xx', cityCode = 'xxx'] = source.location.split('-');
    const place = locations.get(source.location);
    let country = countries.get(countryCode);
    if (!country) {
      country = { code: countryCode, name: place?.country ?? countryCode, cities: [] };
      countries.set(countryCode, country);
    }
    let city = country.cities.find((candidate) => candidate.code === cityCode);
    if (!city) {
      city = {
        code: cityCode,
        name: place?.city ?? cityCode,
        latitude: place?.latitude ?? 0,
        longitude: place?.longitude ?? 0,
        relays: [],
      };
      country.cities.push(city);
    }
    // se-got-wg-001 -> se-got-wg-1001, -2001, …: the provider's numbering, continued, never a clash.
    let hostname = source.hostname;
    if (copy > 0) {
      hostname = source.hostname.replace(/(\d+)$/, (digits) => String(Number(digits) + copy * 1000));
      while (taken.has(hostname)) hostname = `${hostname}x`;
      taken.add(hostname);
    }
    city.relays.push({
      hostname,
      ipv4AddrIn: source.ipv4_addr_in,
      ipv6AddrIn: source.ipv6_addr_in ?? '',
      publicKey: source.public_key,
      provider: source.provider,
      owned: source.owned,
      active: source.active,
    });
  }
  return {
    version: 1,
    source: `mullvad fixture scaled to ${count}`,
    wireguard: {
      portRanges: [{ first: 51820, last: 51820 }],
      ipv4Gateway: '10.64.0.1',
      ipv6Gateway: 'fc00:bbbb::1',
    },
    countries: [...countries.values()],
  };
}
