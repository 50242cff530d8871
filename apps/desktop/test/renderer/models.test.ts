// @vitest-environment jsdom
// The renderer's pure models: traffic rates from counters, latency bands, sorting and the fastest relay,
// and the picker's search.
import { describe, expect, it } from 'vitest';
import type { InstalledAppView } from '../../src/shared/ipc';
import { searchApps, searchIndex } from '../../src/renderer/model/app-search';
import {
  fastestRelay,
  formatLatency,
  latencyGrade,
  latencySourceOf,
  sortByLatency,
} from '../../src/renderer/model/latency';
import {
  buildLocationTree,
  locationTreeFor,
  SEARCH_OPEN_ROWS,
  searchLocationTree,
} from '../../src/renderer/model/location-tree';
import {
  emptyTraffic,
  formatRate,
  recordCounters,
  TRAFFIC_WINDOW_MS,
} from '../../src/renderer/model/traffic';
import { smallRelayList } from './harness';

describe('traffic', () => {
  it('turns counter readings into rates, skips repeats and resets, and keeps one minute', () => {
    let history = recordCounters(emptyTraffic, { atMs: 0, rxBytes: 0, txBytes: 0 });
    expect(history.samples).toEqual([]);
    history = recordCounters(history, { atMs: 1000, rxBytes: 5000, txBytes: 100 });
    expect(history.samples).toEqual([{ atMs: 1000, rxRate: 5000, txRate: 100 }]);
    // The same reading again (a non-stats patch) adds nothing.
    expect(recordCounters(history, { atMs: 1050, rxBytes: 5000, txBytes: 100 }).samples).toHaveLength(1);
    // Counters from zero (a new device): no negative rate.
    history = recordCounters(history, { atMs: 2000, rxBytes: 10, txBytes: 10 });
    expect(history.samples).toHaveLength(1);
    for (let second = 3; second < 100; second++)
      history = recordCounters(history, { atMs: second * 1000, rxBytes: second * 1000, txBytes: 0 });
    expect(history.samples.length).toBeLessThanOrEqual(TRAFFIC_WINDOW_MS / 1000);
    expect(history.samples[0]?.atMs).toBeGreaterThan(99_000 - TRAFFIC_WINDOW_MS);
  });

  it('formats rates in decimal units', () => {
    expect(formatRate(0)).toBe('0 B/s');
    expect(formatRate(999)).toBe('999 B/s');
    expect(formatRate(1500)).toBe('1.5 kB/s');
    expect(formatRate(12_345_678)).toBe('12 MB/s');
  });
});

describe('latency', () => {
  const source = latencySourceOf({
    'se-got-wg-001': { rttMs: 30 },
    'se-sto-wg-001': { rttMs: 12 },
    'us-nyc-wg-001': { rttMs: 0.43 },
    'us-nyc-wg-002': { reason: 'no reply within 1000 ms' },
  });
  const tree = buildLocationTree(smallRelayList(), { providers: [], ownership: 'any' });

  it('knows only measured relays, and formats and grades them', () => {
    expect(source('us-nyc-wg-002')).toBeUndefined();
    expect(source('toString')).toBeUndefined();
    expect(formatLatency(0.43)).toBe('0.4 ms');
    expect(formatLatency(123.6)).toBe('124 ms');
    expect([latencyGrade(20), latencyGrade(100), latencyGrade(300)]).toEqual(['fast', 'medium', 'slow']);
  });

  it('sorts measured places first, fastest first, and finds the fastest active relay', () => {
    const sorted = sortByLatency(tree, source);
    expect(sorted.map((country) => country.code)).toEqual(['us', 'se', 'de']);
    expect(sorted[1]?.cities.map((city) => city.code)).toEqual(['sto', 'got']);
    expect(sorted[0]?.cities[0]?.relays.map((node) => node.relay.hostname)).toEqual([
      'us-nyc-wg-001',
      'us-nyc-wg-002',
    ]);
    expect(fastestRelay(tree, source)?.node.relay.hostname).toBe('us-nyc-wg-001');
    expect(fastestRelay(tree, latencySourceOf({}))).toBeUndefined();
  });
});

describe('location search at scale', () => {
  // 40 cities of 30 relays each in one country: a short search there matches hundreds of relays.
  const big = {
    version: 1 as const,
    source: 'test',
    wireguard: { portRanges: [{ first: 51820, last: 51820 }], ipv4Gateway: '', ipv6Gateway: '' },
    countries: [
      {
        code: 'zz',
        name: 'Bigland',
        cities: Array.from({ length: 40 }, (_, c) => ({
          code: `c${c}`,
          name: `City ${c}`,
          latitude: 0,
          longitude: 0,
          relays: Array.from({ length: 30 }, (_, r) => ({
            hostname: `zz-c${c}-wg-${String(r).padStart(3, '0')}`,
            ipv4AddrIn: '198.51.100.1',
            ipv6AddrIn: '',
            publicKey: 'k',
            provider: 'p',
            owned: false,
            active: true,
            weight: 100,
            dnsServers: [],
            tunnelIpv4Only: false,
          })),
        })),
      },
    ],
  };
  const any = { providers: [], ownership: 'any' as const };

  it('opens no more than about SEARCH_OPEN_ROWS rows, and still lists every match', () => {
    const result = searchLocationTree(buildLocationTree(big, any), 'wg-0');
    const cities = result.countries[0]?.cities ?? [];
    expect(cities).toHaveLength(40);
    const opened = cities.filter((city) => result.expand.has(city.key));
    expect(opened.reduce((rows, city) => rows + city.relays.length, 0)).toBeLessThanOrEqual(SEARCH_OPEN_ROWS);
    expect(opened.length).toBeGreaterThan(0);
  });

  it('matches one letter only where a word starts, two or more anywhere', () => {
    const tree = buildLocationTree(smallRelayList(), { providers: [], ownership: 'any' });
    // "o" is inside Gothenburg, Stockholm and New York, but starts no word of any place or hostname.
    expect(searchLocationTree(tree, 'o').countries).toEqual([]);
    expect(searchLocationTree(tree, 'g').countries.map((c) => c.code)).toEqual(['de', 'se']);
    expect(searchLocationTree(tree, 'ot').countries.map((c) => c.code)).toEqual(['se']);
  });

  it('builds a list once per relay list and filters', () => {
    const list = smallRelayList();
    expect(locationTreeFor(list, any)).toBe(locationTreeFor(list, { providers: [], ownership: 'any' }));
    expect(locationTreeFor(list, { providers: [], ownership: 'owned' })).not.toBe(locationTreeFor(list, any));
  });
});

describe('app search', () => {
  const app = (name: string, comment: string, executable: string): InstalledAppView => ({
    id: `${name.toLowerCase().replaceAll(' ', '-')}.desktop`,
    name,
    comment,
    executable,
    source: 'system',
    singleInstance: false,
  });
  const index = searchIndex([
    app('GNU Image Manipulation Program', 'Create images', '/usr/bin/gimp'),
    app('Thunderbird', 'Read mail', '/usr/bin/thunderbird'),
    app('Écran', 'Screen settings', '/usr/bin/ecran'),
    app('Mail', 'Thunder mail', '/usr/bin/geary'),
  ]);
  const names = (query: string): string[] => searchApps(index, query).map((found) => found.name);

  it('matches word starts in name, comment, program and ID, accents and case ignored', () => {
    expect(names('gimp')).toEqual(['GNU Image Manipulation Program']);
    expect(names('ecr')).toEqual(['Écran']);
    expect(names('image prog')).toEqual(['GNU Image Manipulation Program']);
    expect(names('')).toHaveLength(4);
  });

  it('puts names that start with the query first', () => {
    expect(names('thunder')).toEqual(['Thunderbird', 'Mail']);
    expect(names('mail')).toEqual(['Mail', 'Thunderbird']);
  });
});
