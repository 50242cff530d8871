// Parses a relay list in Mullvad's API format (`/app/v1/relays`): its `locations` map and the WireGuard
// relays, port ranges and gateways. OpenVPN and bridge relays are not Sluice's business and are skipped.
import type { Relay, WireguardEndpointData } from '@sluice/api/domain';
import { checkHostname, checkLocationCode, ipProblem, keyProblem, portProblem } from './fields.js';
import { ProblemList } from './import-error.js';
import { isRecord, jsonPath } from './json-text.js';
import type { ImportedRelay, ParsedRelayFile } from './parsed.js';

interface MullvadLocation {
  country: { code: string; name?: string };
  city: { code: string; name?: string; latitude?: number; longitude?: number };
}

/** Typed reads of a JSON object's fields; a wrong type is a problem at the field's path. */
class FieldReader {
  constructor(
    private readonly problems: ProblemList,
    private readonly object: Record<string, unknown>,
    private readonly path: readonly PropertyKey[],
  ) {}

  at(key: string): string {
    return jsonPath([...this.path, key]);
  }

  string(key: string, fallback?: string): string | undefined {
    const value = this.object[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'string') return value;
    this.problems.atPath(this.at(key), `${describe(value)}; expected a string`);
    return undefined;
  }

  boolean(key: string, fallback: boolean): boolean | undefined {
    const value = this.object[key];
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.problems.atPath(this.at(key), `${describe(value)}; expected true or false`);
    return undefined;
  }

  number(key: string): number | undefined {
    const value = this.object[key];
    if (value === undefined) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.problems.atPath(this.at(key), `${describe(value)}; expected a number`);
    return undefined;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'is missing';
  const text = JSON.stringify(value);
  return `${text.length > 40 ? `${text.slice(0, 40)}…` : text} is given`;
}

export function parseMullvadRelayList(fileName: string, document: unknown): ParsedRelayFile {
  const problems = new ProblemList(fileName);
  const warnings: string[] = [];
  const shape =
    'expected a Mullvad relay list: a JSON object with "locations" and "wireguard": {"relays": […]}';
  if (!isRecord(document)) {
    problems.atPath('', `not a JSON object; ${shape}`);
    problems.throwIfAny();
    return { relays: [], warnings };
  }
  const locations = document.locations;
  const wireguard = document.wireguard;
  if (!isRecord(locations)) problems.atPath('locations', `${describe(locations)}; ${shape}`);
  if (!isRecord(wireguard)) problems.atPath('wireguard', `${describe(wireguard)}; ${shape}`);
  if (!isRecord(locations) || !isRecord(wireguard)) {
    problems.throwIfAny();
    return { relays: [], warnings };
  }

  const endpoint = readEndpointData(wireguard, problems);
  const relaysValue = wireguard.relays;
  if (!Array.isArray(relaysValue))
    problems.atPath('wireguard.relays', `${describe(relaysValue)}; expected an array`);

  // Only locations that relays use are read: a bad entry for a bridge-only city is not worth refusing.
  const knownLocations = new Map<string, MullvadLocation | undefined>();
  const locationFor = (key: string, relayPath: string): MullvadLocation | undefined => {
    if (knownLocations.has(key)) return knownLocations.get(key);
    const entry = locations[key];
    let location: MullvadLocation | undefined;
    if (entry === undefined) {
      problems.atPath(
        relayPath,
        `"${key}" is not in "locations"; expected one of its keys, such as "se-got"`,
      );
    } else {
      location = readLocation(key, entry, problems);
    }
    knownLocations.set(key, location);
    return location;
  };

  const relays: ImportedRelay[] = [];
  const firstPathOf = new Map<string, string>();
  let excludedFromCountry = 0;
  (Array.isArray(relaysValue) ? (relaysValue as unknown[]) : []).forEach((value, index) => {
    const path = ['wireguard', 'relays', index];
    if (!isRecord(value)) {
      problems.atPath(jsonPath(path), `${describe(value)}; expected a relay object`);
      return;
    }
    const read = new FieldReader(problems, value, path);
    const relay = readRelay(read, problems);
    const locationKey = read.string('location');
    const location = locationKey === undefined ? undefined : locationFor(locationKey, read.at('location'));
    if (value.include_in_country === false) excludedFromCountry++;
    if (!relay || !location) return;
    const earlier = firstPathOf.get(relay.hostname);
    if (earlier !== undefined) {
      problems.atPath(read.at('hostname'), `"${relay.hostname}" appears twice; the first is ${earlier}`);
      return;
    }
    firstPathOf.set(relay.hostname, jsonPath(path));
    relays.push({ ...location, relay, file: fileName, path: jsonPath(path) });
  });

  if (excludedFromCountry > 0) {
    warnings.push(
      `${fileName}: ${excludedFromCountry} relays are marked include_in_country: false; Sluice's list has no ` +
        'such mark, so they can be picked when only a country is chosen',
    );
  }
  problems.throwIfAny();
  return { relays, wireguard: endpoint, warnings };
}

function readLocation(key: string, entry: unknown, problems: ProblemList): MullvadLocation | undefined {
  const path = jsonPath(['locations', key]);
  const [countryText = '', cityText, extra] = key.split('-');
  if (cityText === undefined || extra !== undefined) {
    problems.atPath(path, `"${key}" is not a location key; expected "<country>-<city>", such as "se-got"`);
    return undefined;
  }
  const country = checkLocationCode(countryText);
  const city = checkLocationCode(cityText);
  if ('problem' in country || 'problem' in city) {
    problems.atPath(
      path,
      `"${key}" is not a location key; expected "<country>-<city>" of 2-3 letters each, such as "se-got"`,
    );
    return undefined;
  }
  if (!isRecord(entry)) {
    problems.atPath(
      path,
      `${describe(entry)}; expected an object with "country", "city", "latitude", "longitude"`,
    );
    return undefined;
  }
  const read = new FieldReader(problems, entry, ['locations', key]);
  const location: MullvadLocation = { country: { code: country.value }, city: { code: city.value } };
  const countryName = read.string('country', '');
  const cityName = read.string('city', '');
  const latitude = read.number('latitude');
  const longitude = read.number('longitude');
  if (countryName) location.country.name = countryName;
  if (cityName) location.city.name = cityName;
  if (latitude !== undefined) location.city.latitude = latitude;
  if (longitude !== undefined) location.city.longitude = longitude;
  return location;
}

function readRelay(read: FieldReader, problems: ProblemList): Relay | undefined {
  const before = problems.problems.length;
  const hostnameText = read.string('hostname');
  const hostname = hostnameText === undefined ? undefined : checkHostname(hostnameText);
  if (hostname && 'problem' in hostname) problems.atPath(read.at('hostname'), hostname.problem);

  const publicKey = read.string('public_key');
  const keyIssue = publicKey === undefined ? undefined : keyProblem(publicKey, false);
  if (keyIssue) problems.atPath(read.at('public_key'), keyIssue);

  const ipv4 = read.string('ipv4_addr_in', '');
  const ipv6 = read.string('ipv6_addr_in', '');
  const ipv4Issue = ipv4 ? ipProblem(ipv4, 4) : undefined;
  const ipv6Issue = ipv6 ? ipProblem(ipv6, 6) : undefined;
  if (ipv4Issue) problems.atPath(read.at('ipv4_addr_in'), ipv4Issue);
  if (ipv6Issue) problems.atPath(read.at('ipv6_addr_in'), ipv6Issue);
  if (ipv4 === '' && ipv6 === '') {
    problems.atPath(
      read.at('ipv4_addr_in'),
      'is missing; expected the relay\'s IPv4 address (or "ipv6_addr_in")',
    );
  }

  const provider = read.string('provider', '');
  const owned = read.boolean('owned', false);
  const active = read.boolean('active', true);
  const weightValue = read.number('weight');
  const weight = weightValue ?? 100;
  if (!Number.isInteger(weight) || weight < 0) {
    problems.atPath(read.at('weight'), `${weight} is not a weight; expected a whole number, 0 or more`);
  }

  if (problems.problems.length > before) return undefined;
  if (
    !hostname ||
    'problem' in hostname ||
    publicKey === undefined ||
    ipv4 === undefined ||
    ipv6 === undefined
  )
    return undefined;
  if (provider === undefined || owned === undefined || active === undefined) return undefined;
  return {
    hostname: hostname.value,
    ipv4AddrIn: ipv4.toLowerCase(),
    ipv6AddrIn: ipv6.toLowerCase(),
    publicKey,
    provider,
    owned,
    active,
    weight,
    dnsServers: [],
    tunnelIpv4Only: false,
  };
}

function readEndpointData(wireguard: Record<string, unknown>, problems: ProblemList): WireguardEndpointData {
  const read = new FieldReader(problems, wireguard, ['wireguard']);
  const ipv4Gateway = read.string('ipv4_gateway', '') ?? '';
  const ipv6Gateway = read.string('ipv6_gateway', '') ?? '';
  const ipv4Issue = ipv4Gateway ? ipProblem(ipv4Gateway, 4) : undefined;
  const ipv6Issue = ipv6Gateway ? ipProblem(ipv6Gateway, 6) : undefined;
  if (ipv4Issue) problems.atPath(read.at('ipv4_gateway'), ipv4Issue);
  if (ipv6Issue) problems.atPath(read.at('ipv6_gateway'), ipv6Issue);

  const rangesValue = wireguard.port_ranges;
  const portRanges: WireguardEndpointData['portRanges'] = [];
  if (rangesValue === undefined) {
    portRanges.push({ first: 51820, last: 51820 });
  } else if (!Array.isArray(rangesValue)) {
    problems.atPath(
      read.at('port_ranges'),
      `${describe(rangesValue)}; expected an array of [first, last] pairs`,
    );
  } else {
    (rangesValue as unknown[]).forEach((range, index) => {
      const path = jsonPath(['wireguard', 'port_ranges', index]);
      // The API sends [first, last]; an object {first, last} is taken too.
      const pair: unknown[] = Array.isArray(range)
        ? (range as unknown[])
        : isRecord(range)
          ? [range.first, range.last]
          : [];
      const [first, last] = pair;
      if (pair.length !== 2 || typeof first !== 'number' || typeof last !== 'number') {
        problems.atPath(
          path,
          `${describe(range)}; expected a [first, last] pair of ports, e.g. [51820, 51820]`,
        );
        return;
      }
      const issue = portProblem(first) ?? portProblem(last);
      if (issue) problems.atPath(path, issue);
      else if (first > last)
        problems.atPath(path, `[${first}, ${last}] runs backwards; expected first ≤ last`);
      else portRanges.push({ first, last });
    });
  }
  return { portRanges, ipv4Gateway: ipv4Gateway.toLowerCase(), ipv6Gateway: ipv6Gateway.toLowerCase() };
}
