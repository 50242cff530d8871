// Reads Sluice's own relay-list JSON (relayListSchema), checking every value the schema cannot: codes,
// hostnames, keys, addresses, port ranges, duplicates. The helper's relays.json is this format too.
import { relayListSchema, type RelayList } from '@sluice/api/domain';
import { checkHostname, checkLocationCode, ipProblem, keyProblem } from './fields.js';
import { ProblemList } from './import-error.js';
import { isRecord, jsonPath } from './json-text.js';
import type { ImportedRelay, ParsedRelayFile } from './parsed.js';

/** Hostname -> WireGuard pre-shared key. Kept beside the list, never inside what clients are sent. */
export type PresharedKeys = Record<string, string>;

export interface SluiceRelayListDocument {
  list: RelayList;
  presharedKeys: PresharedKeys;
}

/** Validate a parsed JSON document as a Sluice relay list; throws RelayImportError naming each path. */
export function readSluiceRelayList(fileName: string, document: unknown): SluiceRelayListDocument {
  const problems = new ProblemList(fileName);
  if (!isRecord(document)) {
    problems.atPath('', 'not a JSON object; expected a Sluice relay list: {"version": 1, "countries": […]}');
    problems.throwIfAny();
  }
  const parsed = relayListSchema.safeParse(document);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.atPath(jsonPath(issue.path), issue.message);
    problems.throwIfAny();
    throw new Error('unreachable: schema failed without issues');
  }
  const list = canonicalise(parsed.data, problems);
  const presharedKeys = readPresharedKeys(
    isRecord(document) ? document.presharedKeys : undefined,
    list,
    problems,
  );
  problems.throwIfAny();
  return { list, presharedKeys };
}

/** The import view of a Sluice list: its relays with their places, and its list-wide data. */
export function parseSluiceRelayListFile(fileName: string, document: unknown): ParsedRelayFile {
  // The stored file may be an empty list; an import without "countries" is more likely the wrong file.
  if (isRecord(document) && !Array.isArray(document.countries)) {
    const problems = new ProblemList(fileName);
    problems.atPath(
      'countries',
      'is missing; expected a Sluice relay list: {"version": 1, "countries": […]}',
    );
    problems.throwIfAny();
  }
  const { list, presharedKeys } = readSluiceRelayList(fileName, document);
  const relays: ImportedRelay[] = [];
  list.countries.forEach((country, c) => {
    country.cities.forEach((city, t) => {
      city.relays.forEach((relay, r) => {
        const imported: ImportedRelay = {
          country: country.name ? { code: country.code, name: country.name } : { code: country.code },
          city: { code: city.code, latitude: city.latitude, longitude: city.longitude },
          relay,
          file: fileName,
          path: jsonPath(['countries', c, 'cities', t, 'relays', r]),
        };
        if (city.name) imported.city.name = city.name;
        const key = presharedKeys[relay.hostname];
        if (key !== undefined) imported.presharedKey = key;
        relays.push(imported);
      });
    });
  });
  return { relays, wireguard: list.wireguard, warnings: [] };
}

/** Checks what the schema cannot and returns the list with codes, hostnames and addresses lower-cased. */
function canonicalise(list: RelayList, problems: ProblemList): RelayList {
  const code = (path: PropertyKey[], text: string): string => {
    const checked = checkLocationCode(text);
    if ('problem' in checked) {
      problems.atPath(jsonPath(path), checked.problem);
      return text;
    }
    return checked.value;
  };
  const address = (path: PropertyKey[], text: string, family?: 4 | 6): string => {
    const problem = ipProblem(text, family);
    if (problem) problems.atPath(jsonPath(path), problem);
    return text.toLowerCase();
  };

  const wireguard = {
    portRanges: list.wireguard.portRanges,
    ipv4Gateway: list.wireguard.ipv4Gateway
      ? address(['wireguard', 'ipv4Gateway'], list.wireguard.ipv4Gateway, 4)
      : '',
    ipv6Gateway: list.wireguard.ipv6Gateway
      ? address(['wireguard', 'ipv6Gateway'], list.wireguard.ipv6Gateway, 6)
      : '',
  };
  wireguard.portRanges.forEach((range, i) => {
    if (range.first > range.last) {
      problems.atPath(
        jsonPath(['wireguard', 'portRanges', i]),
        `${range.first}-${range.last} runs backwards; expected first ≤ last`,
      );
    }
  });

  const hostnames = new Map<string, string>();
  const countryCodes = new Map<string, string>();
  const countries = list.countries.map((country, c) => {
    const countryPath = ['countries', c];
    const countryCode = code([...countryPath, 'code'], country.code);
    const earlierCountry = countryCodes.get(countryCode);
    if (earlierCountry !== undefined) {
      problems.atPath(
        jsonPath([...countryPath, 'code']),
        `"${countryCode}" appears twice; the first is ${earlierCountry}`,
      );
    }
    countryCodes.set(countryCode, jsonPath(countryPath));

    const cityCodes = new Map<string, string>();
    const cities = country.cities.map((city, t) => {
      const cityPath = [...countryPath, 'cities', t];
      const cityCode = code([...cityPath, 'code'], city.code);
      const earlierCity = cityCodes.get(cityCode);
      if (earlierCity !== undefined) {
        problems.atPath(
          jsonPath([...cityPath, 'code']),
          `"${cityCode}" appears twice; the first is ${earlierCity}`,
        );
      }
      cityCodes.set(cityCode, jsonPath(cityPath));

      const relays = city.relays.map((relay, r) => {
        const relayPath = [...cityPath, 'relays', r];
        const checkedHostname = checkHostname(relay.hostname);
        let hostname = relay.hostname;
        if ('problem' in checkedHostname) {
          problems.atPath(jsonPath([...relayPath, 'hostname']), checkedHostname.problem);
        } else {
          hostname = checkedHostname.value;
          const earlier = hostnames.get(hostname);
          if (earlier !== undefined) {
            problems.atPath(
              jsonPath([...relayPath, 'hostname']),
              `"${hostname}" appears twice; the first is ${earlier}`,
            );
          }
          hostnames.set(hostname, jsonPath(relayPath));
        }
        const keyIssue = keyProblem(relay.publicKey, false);
        if (keyIssue) problems.atPath(jsonPath([...relayPath, 'publicKey']), keyIssue);
        if (relay.ipv4AddrIn === '' && relay.ipv6AddrIn === '') {
          problems.atPath(
            jsonPath([...relayPath, 'ipv4AddrIn']),
            'is empty and so is ipv6AddrIn; expected at least one endpoint address',
          );
        }
        return {
          ...relay,
          hostname,
          ipv4AddrIn: relay.ipv4AddrIn ? address([...relayPath, 'ipv4AddrIn'], relay.ipv4AddrIn, 4) : '',
          ipv6AddrIn: relay.ipv6AddrIn ? address([...relayPath, 'ipv6AddrIn'], relay.ipv6AddrIn, 6) : '',
          dnsServers: relay.dnsServers.map((server, d) => address([...relayPath, 'dnsServers', d], server)),
        };
      });
      return { ...city, code: cityCode, relays };
    });
    return { ...country, code: countryCode, cities };
  });
  return { ...list, wireguard, countries };
}

function readPresharedKeys(value: unknown, list: RelayList, problems: ProblemList): PresharedKeys {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.atPath('presharedKeys', 'expected an object of hostname: key');
    return {};
  }
  const hostnames = new Set(
    list.countries.flatMap((c) => c.cities.flatMap((t) => t.relays.map((r) => r.hostname))),
  );
  const keys: PresharedKeys = {};
  for (const [hostname, key] of Object.entries(value)) {
    const path = jsonPath(['presharedKeys', hostname]);
    if (typeof key !== 'string') {
      problems.atPath(path, 'expected a key string');
      continue;
    }
    const problem = keyProblem(key, true);
    if (problem) problems.atPath(path, problem);
    else if (!hostnames.has(hostname)) problems.atPath(path, `no relay "${hostname}" in this list`);
    else keys[hostname] = key;
  }
  return keys;
}
