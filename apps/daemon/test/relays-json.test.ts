// Relay-list JSON imports: Mullvad's API format (the real fixture) and Sluice's own, format detection, and
// bad documents reported by JSON path.
import { jsonNesting, parseJsonText } from '../src/relays/json-text.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allRelays, type RelayList } from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
import { RelayImportError, type ImportProblem } from '../src/relays/import-error.js';
import { parseImportFile } from '../src/relays/import.js';
import { parseMullvadRelayList } from '../src/relays/mullvad-json.js';
import { parseSluiceRelayListFile, readSluiceRelayList } from '../src/relays/sluice-json.js';

// Shared test data lives beside the repository and is never copied into it.
const FIXTURE = resolve(import.meta.dirname, '../../../../shared/fixtures/mullvad-relays-api.json');
const fixtureText = readFileSync(FIXTURE, 'utf8');
const fixture = (): Record<string, unknown> => JSON.parse(fixtureText) as Record<string, unknown>;
const fixtureRelays = (doc: Record<string, unknown>): Record<string, unknown>[] =>
  (doc.wireguard as { relays: Record<string, unknown>[] }).relays;

const key = (seed: number): string => Buffer.alloc(32, seed).toString('base64');

function problemsOf(run: () => unknown): ImportProblem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof RelayImportError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a RelayImportError');
}

describe('Mullvad relay list (the real fixture)', () => {
  const parsed = parseMullvadRelayList('relays.json', fixture());

  it('imports all 577 WireGuard relays in 50 countries and 90 cities', () => {
    expect(parsed.relays).toHaveLength(577);
    expect(new Set(parsed.relays.map((r) => r.country.code)).size).toBe(50);
    expect(new Set(parsed.relays.map((r) => `${r.country.code}-${r.city.code}`)).size).toBe(90);
  });

  it('keeps each relay field and its place', () => {
    const byHostname = new Map(parsed.relays.map((r) => [r.relay.hostname, r]));
    expect(byHostname.get('se-got-wg-001')).toMatchObject({
      country: { code: 'se', name: 'Sweden' },
      city: { code: 'got', name: 'Gothenburg', latitude: 57.70887, longitude: 11.97456 },
      path: 'wireguard.relays[290]',
      relay: {
        hostname: 'se-got-wg-001',
        ipv4AddrIn: '185.213.154.66',
        ipv6AddrIn: '2a03:1b20:5:f011:31::a03f',
        publicKey: '5JMPeO7gXIbR5CnUa/NPNK4L5GqUnreF0/Bozai4pl4=',
        provider: '31173',
        owned: true,
        active: true,
        weight: 1,
        dnsServers: [],
      },
    });
    expect(byHostname.get('us-nyc-wg-301')).toMatchObject({
      country: { code: 'us', name: 'USA' },
      city: { code: 'nyc', name: 'New York, NY' },
      relay: { ipv4AddrIn: '143.244.47.65', provider: 'DataPacket', owned: false, weight: 100 },
    });
    expect(byHostname.get('se-sto-wg-004')?.relay.active).toBe(false);
    expect(byHostname.get('al-tia-wg-003')?.relay.port).toBeUndefined();
  });

  it('takes the port ranges and gateways', () => {
    expect(parsed.wireguard).toEqual({
      portRanges: [
        { first: 53, last: 53 },
        { first: 123, last: 123 },
        { first: 4000, last: 33433 },
        { first: 33565, last: 51820 },
        { first: 52001, last: 60000 },
      ],
      ipv4Gateway: '10.64.0.1',
      ipv6Gateway: 'fc00:bbbb:bbbb:bb01::1',
    });
  });

  it('says that include_in_country is not kept', () => {
    expect(parsed.warnings).toEqual([
      expect.stringMatching(/^relays\.json: 35 relays are marked include_in_country: false/),
    ]);
  });
});

describe('bad Mullvad relay lists', () => {
  it('names the JSON path and what was expected', () => {
    const doc = fixture();
    const relays = fixtureRelays(doc);
    Object.assign(relays[5] ?? {}, { public_key: 'not-a-key' });
    Object.assign(relays[6] ?? {}, { ipv4_addr_in: '2001:db8::1', ipv6_addr_in: 'fe80::zz' });
    Object.assign(relays[7] ?? {}, { location: 'xx-yyy' });
    Object.assign(relays[8] ?? {}, { hostname: 'at-vie-wg-001' });
    Object.assign(relays[9] ?? {}, { active: 'yes', weight: -3, hostname: 'Bad Host' });
    Object.assign(doc.wireguard as object, {
      port_ranges: [[53, 53], [60000, 50000], [0, 10], 'all'],
      ipv4_gateway: 'ten',
    });
    expect(
      problemsOf(() => parseMullvadRelayList('relays.json', doc)).map((p) => [p.path, p.message]),
    ).toEqual([
      ['wireguard.ipv4_gateway', '"ten" is not an IPv4 address; expected one such as 198.51.100.1'],
      ['wireguard.port_ranges[1]', '[60000, 50000] runs backwards; expected first ≤ last'],
      ['wireguard.port_ranges[2]', '0 is not a port; expected a whole number from 1 to 65535'],
      [
        'wireguard.port_ranges[3]',
        '"all" is given; expected a [first, last] pair of ports, e.g. [51820, 51820]',
      ],
      [
        'wireguard.relays[5].public_key',
        '"not-a-key" is not a WireGuard key; expected 44 characters of base64 encoding 32 bytes, ending in "="',
      ],
      ['wireguard.relays[6].ipv4_addr_in', '"2001:db8::1" is an IPv6 address; expected an IPv4 address'],
      [
        'wireguard.relays[6].ipv6_addr_in',
        '"fe80::zz" is not an IPv6 address; expected one such as 2001:db8::1',
      ],
      [
        'wireguard.relays[7].location',
        '"xx-yyy" is not in "locations"; expected one of its keys, such as "se-got"',
      ],
      ['wireguard.relays[8].hostname', '"at-vie-wg-001" appears twice; the first is wireguard.relays[4]'],
      [
        'wireguard.relays[9].hostname',
        '"Bad Host" is not a relay hostname; use letters, digits and dashes, e.g. se-got-wg-001',
      ],
      ['wireguard.relays[9].active', '"yes" is given; expected true or false'],
      ['wireguard.relays[9].weight', '-3 is not a weight; expected a whole number, 0 or more'],
    ]);
  });

  it('names a bad location entry by its key', () => {
    const doc = fixture();
    (doc.locations as Record<string, unknown>)['se-got'] = { country: 'Sweden', city: 7 };
    (doc.locations as Record<string, unknown>).sweden = { country: 'Sweden' };
    Object.assign(fixtureRelays(doc)[0] ?? {}, { location: 'sweden' });
    expect(problemsOf(() => parseMullvadRelayList('m.json', doc)).map((p) => [p.path, p.message])).toEqual([
      ['locations.sweden', '"sweden" is not a location key; expected "<country>-<city>", such as "se-got"'],
      ['locations["se-got"].city', '7 is given; expected a string'],
    ]);
  });

  it('refuses documents of the wrong shape', () => {
    expect(problemsOf(() => parseMullvadRelayList('m.json', [])).map((p) => p.message)).toEqual([
      'not a JSON object; expected a Mullvad relay list: a JSON object with "locations" and "wireguard": {"relays": […]}',
    ]);
    expect(
      problemsOf(() => parseMullvadRelayList('m.json', { locations: {}, wireguard: { relays: 3 } })),
    ).toEqual([{ file: 'm.json', path: 'wireguard.relays', message: '3 is given; expected an array' }]);
  });
});

/** A Sluice list whose countries[2].cities[0] has 6 relays, so paths like relays[5] exist. */
function sluiceList(): RelayList {
  let seed = 10;
  const relay = (hostname: string): RelayList['countries'][number]['cities'][number]['relays'][number] => ({
    hostname,
    ipv4AddrIn: `198.51.100.${seed}`,
    ipv6AddrIn: '',
    publicKey: key(seed++),
    provider: 'Lab',
    owned: false,
    active: true,
    weight: 100,
    dnsServers: [],
    tunnelIpv4Only: false,
  });
  const city = (
    country: string,
    code: string,
    count: number,
  ): RelayList['countries'][number]['cities'][number] => ({
    code,
    name: code.toUpperCase(),
    latitude: 0,
    longitude: 0,
    relays: Array.from({ length: count }, (_, i) => relay(`${country}-${code}-wg-00${i + 1}`)),
  });
  return {
    version: 1,
    source: 'lab',
    wireguard: { portRanges: [{ first: 51820, last: 51820 }], ipv4Gateway: '10.64.0.1', ipv6Gateway: '' },
    countries: [
      { code: 'de', name: 'Germany', cities: [city('de', 'fra', 1)] },
      { code: 'nl', name: 'Netherlands', cities: [city('nl', 'ams', 1)] },
      { code: 'se', name: 'Sweden', cities: [city('se', 'got', 6), city('se', 'sto', 1)] },
    ],
  };
}

describe('JSON that nests too deep', () => {
  it('is refused before it is parsed, with the limit', () => {
    const deep = `{"countries":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(() => parseJsonText('relays.json', deep)).toThrow(
      /nests arrays and objects deeper than 64 levels/,
    );
    expect(jsonNesting('{"a":"[[[[[[[["}')).toBe(1);
    expect(jsonNesting('[[{"b":[1]}]]')).toBe(4);
  });
});

describe('Sluice relay-list JSON', () => {
  it('reads a valid list unchanged, with its relays located', () => {
    const list = sluiceList();
    expect(readSluiceRelayList('list.json', JSON.parse(JSON.stringify(list)))).toEqual({
      list,
      presharedKeys: {},
    });
    const parsed = parseSluiceRelayListFile('list.json', list);
    expect(parsed.relays).toHaveLength(9);
    expect(parsed.relays[3]).toMatchObject({
      country: { code: 'se', name: 'Sweden' },
      city: { code: 'got', name: 'GOT' },
      path: 'countries[2].cities[0].relays[1]',
      relay: { hostname: 'se-got-wg-002' },
    });
    expect(parsed.wireguard).toEqual(list.wireguard);
  });

  it('fills defaults for fields a hand-written list leaves out', () => {
    const minimal = {
      countries: [
        {
          code: 'SE',
          cities: [
            {
              code: 'got',
              relays: [{ hostname: 'se-got-1', ipv4AddrIn: '198.51.100.1', publicKey: key(1) }],
            },
          ],
        },
      ],
    };
    const { list } = readSluiceRelayList('mini.json', minimal);
    expect(list.countries[0]?.code).toBe('se');
    expect(list.wireguard.portRanges).toEqual([{ first: 51820, last: 51820 }]);
    expect(allRelays(list)[0]?.relay).toEqual({
      hostname: 'se-got-1',
      ipv4AddrIn: '198.51.100.1',
      ipv6AddrIn: '',
      publicKey: key(1),
      provider: '',
      owned: false,
      active: true,
      weight: 100,
      dnsServers: [],
      tunnelIpv4Only: false,
    });
  });

  it('names the path of each bad value', () => {
    const list = sluiceList() as unknown as {
      wireguard: { portRanges: unknown[]; ipv6Gateway: string };
      countries: { code: string; cities: { code: string; relays: Record<string, unknown>[] }[] }[];
    };
    const got = list.countries[2]?.cities[0];
    if (!got) throw new Error('fixture shape');
    Object.assign(got.relays[5] ?? {}, { publicKey: 'AAAA' });
    Object.assign(got.relays[4] ?? {}, { hostname: 'se-got-wg-001' });
    Object.assign(got.relays[3] ?? {}, { ipv4AddrIn: '', ipv6AddrIn: '' });
    Object.assign(got.relays[2] ?? {}, { weight: -1, dnsServers: ['10.64.0.1', 'dns.example'] });
    Object.assign(list.countries[1]?.cities[0] ?? {}, { code: 'amsterdam' });
    Object.assign(list.countries[0] ?? {}, { code: 'se' });
    list.wireguard.portRanges.push({ first: 5, last: 4 });
    list.wireguard.ipv6Gateway = '10.64.0.1';

    // The schema's problems come first; when it passes, the value checks run.
    expect(problemsOf(() => readSluiceRelayList('list.json', list))).toEqual([
      {
        file: 'list.json',
        path: 'countries[2].cities[0].relays[2].weight',
        message: 'Too small: expected number to be >=0',
      },
    ]);
    Object.assign(got.relays[2] ?? {}, { weight: 0 });
    expect(problemsOf(() => readSluiceRelayList('list.json', list)).map((p) => [p.path, p.message])).toEqual([
      ['wireguard.ipv6Gateway', '"10.64.0.1" is an IPv4 address; expected an IPv6 address'],
      ['wireguard.portRanges[1]', '5-4 runs backwards; expected first ≤ last'],
      [
        'countries[1].cities[0].code',
        '"amsterdam" is not a location code; use 2-3 letters such as "se" or "got"',
      ],
      ['countries[2].code', '"se" appears twice; the first is countries[0]'],
      [
        'countries[2].cities[0].relays[2].dnsServers[1]',
        '"dns.example" is not an IP address; expected one such as 198.51.100.1 or 2001:db8::1',
      ],
      [
        'countries[2].cities[0].relays[3].ipv4AddrIn',
        'is empty and so is ipv6AddrIn; expected at least one endpoint address',
      ],
      [
        'countries[2].cities[0].relays[4].hostname',
        '"se-got-wg-001" appears twice; the first is countries[2].cities[0].relays[0]',
      ],
      [
        'countries[2].cities[0].relays[5].publicKey',
        '"AAAA" is not a WireGuard key; expected 44 characters of base64 encoding 32 bytes, ending in "="',
      ],
    ]);
  });

  it('reports a missing required field by its path', () => {
    const list = sluiceList() as unknown as {
      countries: { cities: { relays: Record<string, unknown>[] }[] }[];
    };
    delete list.countries[0]?.cities[0]?.relays[0]?.publicKey;
    expect(problemsOf(() => readSluiceRelayList('list.json', list))).toEqual([
      {
        file: 'list.json',
        path: 'countries[0].cities[0].relays[0].publicKey',
        message: 'Invalid input: expected string, received undefined',
      },
    ]);
  });

  it('reads pre-shared keys and refuses ones for unknown relays', () => {
    const list = { ...sluiceList(), presharedKeys: { 'se-got-wg-001': key(99) } };
    expect(readSluiceRelayList('list.json', list).presharedKeys).toEqual({ 'se-got-wg-001': key(99) });
    expect(parseSluiceRelayListFile('list.json', list).relays[2]?.presharedKey).toBe(key(99));
    const bad = { ...sluiceList(), presharedKeys: { 'se-got-wg-001': 'x', 'xx-nowhere': key(1) } };
    expect(problemsOf(() => readSluiceRelayList('list.json', bad)).map((p) => [p.path, p.message])).toEqual([
      [
        'presharedKeys["se-got-wg-001"]',
        'is not a WireGuard key (1 characters given, not shown: it is secret); expected 44 characters of base64 encoding 32 bytes, ending in "="',
      ],
      ['presharedKeys["xx-nowhere"]', 'no relay "xx-nowhere" in this list'],
    ]);
  });
});

describe('format detection', () => {
  const conf = `[Interface]\nPrivateKey = ${key(1)}\nAddress = 10.64.0.2/32\nDNS = 10.64.0.1\n[Peer]\nPublicKey = ${key(2)}\nEndpoint = 198.51.100.7:51820\n`;

  it('reads a .conf name or [Interface]/[Peer] content as wg-quick, JSON by its keys', () => {
    expect(parseImportFile({ name: 'se-got-wg-001.conf', content: conf }).format).toBe('wg-quick');
    expect(parseImportFile({ name: 'se-got-wg-001.txt', content: conf }).format).toBe('wg-quick');
    expect(parseImportFile({ name: 'download', content: fixtureText }).format).toBe('mullvad-json');
    expect(parseImportFile({ name: 'relays.json', content: JSON.stringify(sluiceList()) }).format).toBe(
      'sluice-json',
    );
    expect(problemsOf(() => parseImportFile({ name: 'x.json', content: '{"version": 1}' }))).toEqual([
      {
        file: 'x.json',
        path: 'countries',
        message: 'is missing; expected a Sluice relay list: {"version": 1, "countries": […]}',
      },
    ]);
    expect(problemsOf(() => parseImportFile({ name: 'x.json', content: '{"countries": []}' }))).toEqual([
      { file: 'x.json', message: 'has no relays; expected at least one' },
    ]);
  });

  it('follows an explicit format', () => {
    expect(
      problemsOf(() => parseImportFile({ name: 'r.json', content: fixtureText, format: 'sluice-json' })),
    ).toEqual([
      expect.objectContaining({
        path: 'countries',
        message: expect.stringMatching(/^is missing;/) as string,
      }),
    ]);
    expect(
      parseImportFile({ name: 'r', content: fixtureText, format: 'mullvad-json' }).result.relays,
    ).toHaveLength(577);
    expect(
      parseImportFile({ name: 'se-got-wg-001', content: conf.replace(/\n\[/g, '\n['), format: 'wg-quick' })
        .format,
    ).toBe('wg-quick');
  });

  it('says what it expected when it cannot tell', () => {
    const expected =
      'expected a wg-quick .conf ([Interface] and [Peer] sections), a Sluice relay list (JSON with "countries") or a Mullvad relay list (JSON with "locations" and "wireguard")';
    expect(problemsOf(() => parseImportFile({ name: 'notes.txt', content: 'hello' }))).toEqual([
      { file: 'notes.txt', message: `cannot tell the format; ${expected}` },
    ]);
    expect(problemsOf(() => parseImportFile({ name: 'x.json', content: '{"relays": []}' }))).toEqual([
      { file: 'x.json', message: `cannot tell the format; ${expected}` },
    ]);
    expect(problemsOf(() => parseImportFile({ name: 'x.json', content: ' \n' }))).toEqual([
      { file: 'x.json', message: `is empty; ${expected}` },
    ]);
  });

  it('gives the line and column of a JSON syntax error', () => {
    expect(
      problemsOf(() => parseImportFile({ name: 'r.json', content: '{\n  "countries": [],\n}' })),
    ).toEqual([
      {
        file: 'r.json',
        line: 3,
        message: 'not valid JSON at column 1: expected double-quoted property name',
      },
    ]);
    expect(problemsOf(() => parseImportFile({ name: 'r.json', content: '{"countries": [' }))).toEqual([
      { file: 'r.json', message: 'not valid JSON: unexpected end of JSON input' },
    ]);
  });
});
