// Relay selection: constraints and filters, weights (measured with a seeded random source, so the
// numbers are the same on every run), retries that avoid failed relays and vary the port, endpoints, and
// messages that say why nothing matched.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { emptyRelayList, type Relay, type RelayConstraints, type RelayList } from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
import { importRelayFiles } from '../src/relays/import.js';
import { randomPort } from '../src/relays/ports.js';
import { NoMatchingRelayError, selectRelay, type RelaySelectionRequest } from '../src/relays/select.js';
import { seeded } from './support.js';

const FIXTURE = resolve(import.meta.dirname, '../../../../shared/fixtures/mullvad-relays-api.json');

const key = (seed: number): string => Buffer.alloc(32, seed).toString('base64');

let seq = 0;
function relay(hostname: string, fields: Partial<Relay> = {}): Relay {
  seq++;
  return {
    hostname,
    ipv4AddrIn: `198.51.100.${seq}`,
    ipv6AddrIn: `2001:db8::${seq}`,
    publicKey: key(seq),
    provider: 'M247',
    owned: false,
    active: true,
    weight: 100,
    dnsServers: [],
    tunnelIpv4Only: false,
    ...fields,
  };
}

function labList(): RelayList {
  return {
    version: 1,
    source: 'lab',
    wireguard: {
      portRanges: [
        { first: 53, last: 53 },
        { first: 4000, last: 4010 },
        { first: 51820, last: 51820 },
      ],
      ipv4Gateway: '10.64.0.1',
      ipv6Gateway: 'fc00:bbbb::1',
    },
    countries: [
      {
        code: 'de',
        name: 'Germany',
        cities: [
          {
            code: 'fra',
            name: 'Frankfurt',
            latitude: 0,
            longitude: 0,
            relays: [relay('de-fra-1', { active: false }), relay('de-fra-2', { active: false })],
          },
        ],
      },
      {
        code: 'se',
        name: 'Sweden',
        cities: [
          {
            code: 'got',
            name: 'Gothenburg',
            latitude: 0,
            longitude: 0,
            relays: [
              relay('se-got-1', { owned: true }),
              relay('se-got-2'),
              relay('se-got-3', { provider: '31173', owned: true, active: false }),
              relay('se-got-4', { provider: '31173', weight: 0 }),
            ],
          },
          {
            code: 'sto',
            name: 'Stockholm',
            latitude: 0,
            longitude: 0,
            relays: [
              relay('se-sto-1', { provider: 'DataPacket', ipv6AddrIn: '' }),
              relay('se-sto-2', { active: false }),
            ],
          },
        ],
      },
      {
        code: 'us',
        name: 'USA',
        cities: [
          {
            code: 'nyc',
            name: 'New York, NY',
            latitude: 0,
            longitude: 0,
            relays: [
              relay('us-nyc-v6', {
                ipv4AddrIn: '',
                ipv6AddrIn: '2001:db8:6::1',
                port: 443,
                provider: 'wg-quick',
                dnsServers: ['10.8.0.1'],
              }),
            ],
          },
        ],
      },
    ],
  };
}

const anyWhere: RelayConstraints = { location: {}, providers: [], ownership: 'any' };
const request = (more: Partial<RelaySelectionRequest> = {}, constraints: Partial<RelayConstraints> = {}) => ({
  constraints: { ...anyWhere, ...constraints },
  wireguardPort: null,
  attempt: 0,
  ...more,
});

/** How often each hostname is picked in `draws` selections. */
function tally(list: RelayList, req: RelaySelectionRequest, draws: number, seed = 1): Map<string, number> {
  const random = seeded(seed);
  const counts = new Map<string, number>();
  for (let i = 0; i < draws; i++) {
    const hostname = selectRelay(list, req, random).relay.hostname;
    counts.set(hostname, (counts.get(hostname) ?? 0) + 1);
  }
  return counts;
}

function noMatch(list: RelayList, req: RelaySelectionRequest): NoMatchingRelayError {
  try {
    selectRelay(list, req, seeded(1));
  } catch (error) {
    if (error instanceof NoMatchingRelayError) return error;
    throw error;
  }
  throw new Error('expected NoMatchingRelayError');
}

describe('constraints and filters', () => {
  const list = labList();

  it('picks only active relays of positive weight when no constraint is set', () => {
    expect([...tally(list, request(), 2000).keys()].sort()).toEqual([
      'se-got-1',
      'se-got-2',
      'se-sto-1',
      'us-nyc-v6',
    ]);
  });

  it('honours country, city and hostname', () => {
    const place = (location: RelayConstraints['location']) =>
      [...tally(list, request({}, { location }), 500).keys()].sort();
    expect(place({ country: 'se' })).toEqual(['se-got-1', 'se-got-2', 'se-sto-1']);
    expect(place({ country: 'SE', city: 'sto' })).toEqual(['se-sto-1']);
    expect(place({ country: 'se', city: 'got', hostname: 'se-got-2' })).toEqual(['se-got-2']);
    expect(place({ hostname: 'se-got-1' })).toEqual(['se-got-1']);
  });

  it('filters by provider (any of several, any case) and by ownership', () => {
    const keys = (constraints: Partial<RelayConstraints>) =>
      [...tally(list, request({}, constraints), 500).keys()].sort();
    expect(keys({ providers: ['datapacket'] })).toEqual(['se-sto-1']);
    expect(keys({ providers: ['DataPacket', 'wg-quick'] })).toEqual(['se-sto-1', 'us-nyc-v6']);
    expect(keys({ ownership: 'owned' })).toEqual(['se-got-1']);
    expect(keys({ ownership: 'rented', location: { country: 'se', city: 'got' } })).toEqual(['se-got-2']);
    expect(keys({ providers: ['31173'] })).toEqual(['se-got-4']); // weight 0, but the only match
  });

  it('gives the place, endpoint, key and in-tunnel resolvers', () => {
    const picked = selectRelay(list, request({}, { location: { hostname: 'se-sto-1' } }), seeded(3));
    const sto = list.countries[1]?.cities[1]?.relays[0];
    expect(picked).toEqual({
      relay: sto,
      country: { code: 'se', name: 'Sweden' },
      city: { code: 'sto', name: 'Stockholm' },
      address: sto?.ipv4AddrIn,
      ipVersion: 4,
      port: 51820,
      endpoint: `${sto?.ipv4AddrIn ?? ''}:51820`,
      publicKey: sto?.publicKey,
      inTunnelResolvers: ['10.64.0.1', 'fc00:bbbb::1'],
    });
  });

  it("uses a relay's own resolvers and pre-shared key when it has them", () => {
    const picked = selectRelay(
      list,
      request({ presharedKeys: { 'us-nyc-v6': key(200) } }, { location: { country: 'us' } }),
      seeded(3),
    );
    expect(picked).toMatchObject({ inTunnelResolvers: ['10.8.0.1'], presharedKey: key(200) });
  });
});

describe('endpoints', () => {
  const list = labList();

  it('uses IPv4 by default, IPv6 when asked, and IPv6 for a relay that has only that', () => {
    const got = { location: { country: 'se', city: 'got', hostname: 'se-got-1' } };
    expect(selectRelay(list, request({}, got), seeded(1)).endpoint).toMatch(/^198\.51\.100\.\d+:51820$/);
    const v6 = selectRelay(list, request({ ipVersion: 6 }, got), seeded(1));
    expect(v6).toMatchObject({ ipVersion: 6, address: expect.stringMatching(/^2001:db8::/) as string });
    expect(v6.endpoint).toBe(`[${v6.address}]:51820`);
    const nyc = selectRelay(list, request({}, { location: { country: 'us' } }), seeded(1));
    expect(nyc).toMatchObject({ ipVersion: 6, endpoint: '[2001:db8:6::1]:443' });
  });

  it('with IPv6 asked, leaves out relays without an IPv6 address', () => {
    expect(
      [...tally(list, request({ ipVersion: 6 }, { location: { country: 'se' } }), 300).keys()].sort(),
    ).toEqual(['se-got-1', 'se-got-2']);
    // Filters apply before "active": an inactive IPv6 relay makes it an inactive-relay message.
    expect(
      noMatch(list, request({ ipVersion: 6 }, { location: { country: 'se', city: 'sto' } })).message,
    ).toBe('no active relay in se sto with an IPv6 address (1 relay, inactive)');
    const v4only = labList();
    for (const r of v4only.countries[1]?.cities[1]?.relays ?? []) r.ipv6AddrIn = '';
    expect(
      noMatch(v4only, request({ ipVersion: 6 }, { location: { country: 'se', city: 'sto' } })),
    ).toMatchObject({
      reason: 'ip-version',
      message: 'no relay in se sto has an IPv6 address',
    });
    expect(noMatch(list, request({ ipVersion: 4 }, { location: { country: 'us' } })).message).toBe(
      'no relay in us has an IPv4 address',
    );
  });
});

describe('weights', () => {
  it('picks in proportion to weight (20 000 seeded draws, within 1.5 points)', () => {
    const list = labList();
    const got = list.countries[1]?.cities[0];
    if (!got) throw new Error('fixture shape');
    got.relays = [
      relay('w-100', { weight: 100 }),
      relay('w-300', { weight: 300 }),
      relay('w-600', { weight: 600 }),
      relay('w-0', { weight: 0 }),
    ];
    const draws = 20_000;
    const counts = tally(list, request({}, { location: { country: 'se', city: 'got' } }), draws, 42);
    expect(counts.get('w-0')).toBeUndefined();
    expect(Math.abs((counts.get('w-100') ?? 0) / draws - 0.1)).toBeLessThan(0.015);
    expect(Math.abs((counts.get('w-300') ?? 0) / draws - 0.3)).toBeLessThan(0.015);
    expect(Math.abs((counts.get('w-600') ?? 0) / draws - 0.6)).toBeLessThan(0.015);
  });

  it('picks uniformly when every match weighs 0', () => {
    const list = labList();
    const got = list.countries[1]?.cities[0];
    if (!got) throw new Error('fixture shape');
    got.relays = [relay('z-1', { weight: 0 }), relay('z-2', { weight: 0 })];
    const counts = tally(list, request({}, { location: { country: 'se', city: 'got' } }), 4000, 7);
    expect(Math.abs((counts.get('z-1') ?? 0) / 4000 - 0.5)).toBeLessThan(0.03);
  });

  it("follows the Mullvad list's weights: se-got-wg-001/002 weigh 1 against 100", () => {
    const list = importRelayFiles([{ name: 'relays.json', content: readFileSync(FIXTURE, 'utf8') }], {
      existing: emptyRelayList(),
      replace: false,
    }).list;
    const draws = 20_000;
    const counts = tally(list, request({}, { location: { country: 'se', city: 'got' } }), draws, 5);
    const light = (counts.get('se-got-wg-001') ?? 0) + (counts.get('se-got-wg-002') ?? 0);
    // 2 of 702 weight units: about 57 draws in 20 000.
    expect(light).toBeGreaterThan(20);
    expect(light).toBeLessThan(110);
    expect(counts.size).toBe(9);
    // Inactive relays in the fixture are never chosen, whatever the draw.
    const sto = tally(list, request({}, { location: { country: 'se', city: 'sto' } }), 3000, 9);
    expect(
      [...sto.keys()].filter((h) => ['se-sto-wg-004', 'se-sto-wg-005', 'se-sto-wg-006'].includes(h)),
    ).toEqual([]);
  });
});

describe('retries', () => {
  const list = labList();
  const se = { location: { country: 'se' } };

  it('avoid the relays that failed while others match', () => {
    expect([...tally(list, request({ attempt: 1, avoid: ['se-got-1'] }, se), 500).keys()].sort()).toEqual([
      'se-got-2',
      'se-sto-1',
    ]);
    expect([
      ...tally(list, request({ attempt: 2, avoid: ['se-got-1', 'se-sto-1'] }, se), 500).keys(),
    ]).toEqual(['se-got-2']);
  });

  it('when every match failed, go back to the one that failed longest ago', () => {
    const avoid = ['se-sto-1', 'se-got-2', 'se-got-4', 'se-got-1'];
    expect([...tally(list, request({ attempt: 4, avoid }, se), 200).keys()]).toEqual(['se-sto-1']);
    // A weight-0 relay is the last resort once every relay of positive weight has failed.
    const heavyFailed = ['se-sto-1', 'se-got-2', 'se-got-1'];
    expect([...tally(list, request({ attempt: 3, avoid: heavyFailed }, se), 200).keys()]).toEqual([
      'se-got-4',
    ]);
    const pinned = { location: { hostname: 'se-got-1' } };
    expect(
      selectRelay(list, request({ attempt: 1, avoid: ['se-got-1'] }, pinned), seeded(1)).relay.hostname,
    ).toBe('se-got-1');
  });

  it('try 51820 first, then other ports of the ranges', () => {
    const got1 = { location: { hostname: 'se-got-1' } };
    const random = seeded(11);
    expect(selectRelay(list, request({ attempt: 0 }, got1), random).port).toBe(51820);
    const retryPorts = Array.from(
      { length: 200 },
      (_, i) => selectRelay(list, request({ attempt: i + 1 }, got1), random).port,
    );
    expect(retryPorts).not.toContain(51820);
    expect(new Set(retryPorts)).toEqual(
      new Set([53, 4000, 4001, 4002, 4003, 4004, 4005, 4006, 4007, 4008, 4009, 4010]),
    );
  });

  it("keep the user's port, and a wg-quick relay's own port, on every attempt", () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const pick = selectRelay(
        list,
        request({ attempt, wireguardPort: 53 }, { location: { country: 'se', city: 'got' } }),
        seeded(attempt),
      );
      expect(pick.port).toBe(53);
      expect(
        selectRelay(
          list,
          request({ attempt, wireguardPort: 53 }, { location: { country: 'us' } }),
          seeded(attempt),
        ).port,
      ).toBe(443);
    }
  });

  it('without 51820 in the ranges, start on a random port of them', () => {
    const only = labList();
    only.wireguard.portRanges = [{ first: 7000, last: 7001 }];
    const first = selectRelay(only, request({}, { location: { country: 'se' } }), seeded(2));
    expect([7000, 7001]).toContain(first.port);
  });
});

describe('ports', () => {
  it('draw uniformly over all ports of the ranges, skipping the excluded one', () => {
    const ranges = [
      { first: 10, last: 12 },
      { first: 11, last: 14 }, // overlaps are joined, not counted twice
      { first: 20, last: 20 },
    ];
    const random = seeded(4);
    const counts = new Map<number, number>();
    for (let i = 0; i < 12_000; i++) {
      const port = randomPort(ranges, random, 12);
      counts.set(port, (counts.get(port) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([10, 11, 13, 14, 20]);
    for (const count of counts.values()) expect(Math.abs(count / 12_000 - 0.2)).toBeLessThan(0.02);
    expect(randomPort([{ first: 51820, last: 51820 }], () => 0.5, 51820)).toBe(51820);
    expect(randomPort([], () => 0.99)).toBe(51820);
  });
});

describe('when nothing matches', () => {
  const list = labList();
  const message = (constraints: Partial<RelayConstraints>, more: Partial<RelaySelectionRequest> = {}) =>
    noMatch(list, request(more, constraints));

  it.each([
    [
      { location: { country: 'de', city: 'fra' } },
      {},
      'inactive',
      'no active relay in de fra (2 relays, all inactive)',
    ],
    [
      { location: { hostname: 'se-got-3' } },
      {},
      'inactive',
      'no active relay named se-got-3 (1 relay, inactive)',
    ],
    [
      { location: { country: 'de' }, providers: ['X'] },
      {},
      'provider',
      'no relay matches provider X in de (providers there: M247)',
    ],
    [
      { location: { country: 'se' }, providers: ['X', 'Y'] },
      {},
      'provider',
      'no relay matches providers X or Y in se (providers there: 31173, DataPacket, M247)',
    ],
    [
      { location: { country: 'se', city: 'sto' }, ownership: 'owned' },
      {},
      'ownership',
      'no owned relay in se sto (the 2 there are all rented)',
    ],
    [
      { location: { country: 'se', city: 'sto' }, providers: ['DataPacket'], ownership: 'owned' },
      {},
      'ownership',
      'no owned relay in se sto from DataPacket (the only one there is rented)',
    ],
    [
      { location: { country: 'se', city: 'got' }, providers: ['31173'], ownership: 'owned' },
      {},
      'inactive',
      'no active owned relay in se got from 31173 (1 relay, inactive)',
    ],
    [
      { location: { country: 'se' } },
      { wireguardPort: 443 },
      'port',
      'port 443 is not accepted by any relay in se: they take 53, 4000-4010, 51820 (change the WireGuard port or set it to automatic)',
    ],
    [
      { location: { country: 'xx' } },
      {},
      'unknown-location',
      'no country "xx" in the relay list (known: de, se, us)',
    ],
    [
      { location: { country: 'se', city: 'mma' } },
      {},
      'unknown-location',
      'no city "mma" in Sweden (known: got, sto)',
    ],
    [
      { location: { country: 'se', city: 'got', hostname: 'se-sto-1' } },
      {},
      'unknown-location',
      'no relay "se-sto-1" in se got',
    ],
    [
      { location: { hostname: 'nowhere-1' } },
      {},
      'unknown-location',
      'no relay "nowhere-1" in the relay list',
    ],
  ] as const)('%j %j: %s', (constraints, more, reason, text) => {
    const error = message(constraints as Partial<RelayConstraints>, more);
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(text);
  });

  it('says the list is empty', () => {
    expect(noMatch(emptyRelayList(), request())).toMatchObject({
      reason: 'empty-list',
      message: 'the relay list is empty; import relays first ("sluice import <file>")',
    });
  });
});
