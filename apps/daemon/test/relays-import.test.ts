// importRelayFiles: merge and replace, the identity, pre-shared keys, and all-or-nothing across files.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  allRelays,
  emptyRelayList,
  relayListSchema,
  ValidationError,
  type RelayList,
} from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
import { RelayImportError } from '../src/relays/import-error.js';
import { importRelayFiles, type ImportFile, type ImportOptions } from '../src/relays/import.js';

const FIXTURE = resolve(import.meta.dirname, '../../../../shared/fixtures/mullvad-relays-api.json');
const mullvad: ImportFile = { name: 'relays.json', content: readFileSync(FIXTURE, 'utf8') };
const NOW = new Date('2025-01-02T03:04:05.000Z');

const key = (seed: number): string => Buffer.alloc(32, seed).toString('base64');
const conf = (
  options: { privateKey?: string; publicKey?: string; endpoint?: string; extra?: string } = {},
): string =>
  [
    '[Interface]',
    `PrivateKey = ${options.privateKey ?? key(1)}`,
    'Address = 10.66.0.2/32, fd00::2/128',
    'DNS = 10.66.0.1',
    '[Peer]',
    `PublicKey = ${options.publicKey ?? key(2)}`,
    'AllowedIPs = 0.0.0.0/0, ::/0',
    `Endpoint = ${options.endpoint ?? '203.0.113.5:51820'}`,
    options.extra ?? '',
  ].join('\n');

const options = (existing: RelayList, more: Partial<ImportOptions> = {}): ImportOptions => ({
  existing,
  replace: false,
  now: NOW,
  ...more,
});

const mullvadList = (): RelayList => importRelayFiles([mullvad], options(emptyRelayList())).list;
const hostnames = (list: RelayList): string[] => allRelays(list).map((r) => r.relay.hostname);
const find = (list: RelayList, hostname: string) =>
  allRelays(list).find((r) => r.relay.hostname === hostname);

function importError(run: () => unknown): RelayImportError {
  try {
    run();
  } catch (error) {
    if (error instanceof RelayImportError) return error;
    throw error;
  }
  throw new Error('expected a RelayImportError');
}

describe('importing into a list', () => {
  it('imports the Mullvad list whole, valid, sorted by name', () => {
    const result = importRelayFiles([mullvad], options(emptyRelayList()));
    expect(result.relaysImported).toBe(577);
    expect(allRelays(result.list)).toHaveLength(577);
    expect(result.list.countries).toHaveLength(50);
    expect(result.list.countries.flatMap((c) => c.cities)).toHaveLength(90);
    expect(result.list).toMatchObject({ source: 'relays.json', updatedAt: NOW.toISOString(), version: 1 });
    expect(result.list.wireguard.ipv4Gateway).toBe('10.64.0.1');
    expect(relayListSchema.parse(result.list)).toEqual(result.list);
    expect(result.list.countries.slice(0, 3).map((c) => c.name)).toEqual([
      'Albania',
      'Argentina',
      'Australia',
    ]);
    const sweden = result.list.countries.find((c) => c.code === 'se');
    expect(sweden?.cities.map((c) => c.name)).toEqual(['Gothenburg', 'Malmö', 'Stockholm']);
    expect(sweden?.cities[0]?.relays.map((r) => r.hostname).slice(0, 3)).toEqual([
      'se-got-wg-001',
      'se-got-wg-002',
      'se-got-wg-003',
    ]);
    expect(result.identity).toBeUndefined();
    expect(result.presharedKeys).toEqual({});
  });

  it('merges: a relay with a known hostname is replaced, everything else stays', () => {
    const existing = mullvadList();
    const before = structuredClone(existing);
    const result = importRelayFiles(
      [{ name: 'se-got-wg-001.conf', content: conf({ endpoint: '203.0.113.5:3000' }) }],
      options(existing),
    );
    expect(existing).toEqual(before); // the input is never changed
    expect(result.relaysImported).toBe(1);
    expect(allRelays(result.list)).toHaveLength(577);
    expect(find(result.list, 'se-got-wg-001')).toMatchObject({
      country: { code: 'se', name: 'Sweden' },
      city: { code: 'got', name: 'Gothenburg' },
      relay: {
        ipv4AddrIn: '203.0.113.5',
        ipv6AddrIn: '',
        port: 3000,
        publicKey: key(2),
        dnsServers: ['10.66.0.1'],
      },
    });
    expect(find(result.list, 'se-got-wg-002')).toEqual(find(existing, 'se-got-wg-002'));
    expect(result.list.wireguard).toEqual(existing.wireguard);
    expect(result.list.source).toBe('relays.json');
    expect(result.list.updatedAt).toBe(NOW.toISOString());
  });

  it('creates countries and cities, named from the built-in table or by code', () => {
    const result = importRelayFiles(
      [
        { name: 'is-rkv-wg-001.conf', content: conf() },
        { name: 'zw-hre-001.conf', content: conf({ publicKey: key(3) }) },
        { name: 'se-sto-wg-900.conf', content: conf({ publicKey: key(4) }) },
      ],
      options(emptyRelayList()),
    );
    expect(result.list.countries.map((c) => [c.code, c.name, c.cities.map((t) => [t.code, t.name])])).toEqual(
      [
        ['is', 'Iceland', [['rkv', 'RKV']]],
        ['se', 'Sweden', [['sto', 'Stockholm']]],
        ['zw', 'ZW', [['hre', 'HRE']]],
      ],
    );
    expect(result.list.source).toBe('is-rkv-wg-001.conf, zw-hre-001.conf, se-sto-wg-900.conf');
  });

  it('moves a relay that is imported at a new place, and drops places left empty', () => {
    const first = importRelayFiles(
      [{ name: 'wg0.conf', content: conf() }],
      options(emptyRelayList(), { location: { country: 'de', city: 'fra', hostname: 'office' } }),
    ).list;
    expect(hostnames(first)).toEqual(['office']);
    const moved = importRelayFiles(
      [{ name: 'wg0.conf', content: conf() }],
      options(first, { location: { country: 'nl', city: 'ams', hostname: 'office' } }),
    ).list;
    expect(moved.countries.map((c) => c.code)).toEqual(['nl']);
    expect(find(moved, 'office')?.city.name).toBe('Amsterdam');
  });

  it('lets a relay list name places that an earlier import only knew by code', () => {
    const first = importRelayFiles(
      [{ name: 'zw-hre-001.conf', content: conf() }],
      options(emptyRelayList()),
    ).list;
    const named = {
      countries: [
        {
          code: 'zw',
          name: 'Zimbabwe',
          cities: [
            {
              code: 'hre',
              name: 'Harare',
              relays: [{ hostname: 'zw-hre-002', ipv4AddrIn: '203.0.113.9', publicKey: key(7) }],
            },
          ],
        },
      ],
    };
    const merged = importRelayFiles(
      [{ name: 'zw.json', content: JSON.stringify(named) }],
      options(first),
    ).list;
    expect(merged.countries.map((c) => [c.name, c.cities.map((t) => t.name)])).toEqual([
      ['Zimbabwe', ['Harare']],
    ]);
    expect(hostnames(merged)).toEqual(['zw-hre-001', 'zw-hre-002']);
  });

  it('replaces: only the imported relays remain', () => {
    const result = importRelayFiles(
      [{ name: 'se-got-wg-001.conf', content: conf() }],
      options(mullvadList(), { replace: true }),
    );
    expect(hostnames(result.list)).toEqual(['se-got-wg-001']);
    expect(result.list.source).toBe('se-got-wg-001.conf');
    // wg-quick files carry no list-wide data, so a replaced list falls back to the defaults.
    expect(result.list.wireguard).toEqual(emptyRelayList().wireguard);
  });

  it('a relay list brings its port ranges and gateways into a merge', () => {
    const fromConf = importRelayFiles(
      [{ name: 'se-got-wg-900.conf', content: conf() }],
      options(emptyRelayList()),
    );
    const result = importRelayFiles([mullvad], options(fromConf.list));
    expect(result.list.wireguard.portRanges).toHaveLength(5);
    expect(allRelays(result.list)).toHaveLength(578);
    expect(result.list.source).toBe('se-got-wg-900.conf');
  });
});

describe('identity and pre-shared keys', () => {
  it('returns the [Interface] identity when the files agree on it', () => {
    const result = importRelayFiles(
      [
        { name: 'se-got-wg-001.conf', content: conf() },
        { name: 'se-got-wg-002.conf', content: conf({ publicKey: key(3) }) },
      ],
      options(emptyRelayList()),
    );
    expect(result.identity).toEqual({
      privateKey: key(1),
      addresses: ['10.66.0.2/32', 'fd00::2/128'],
      dnsServers: ['10.66.0.1'],
      file: 'se-got-wg-001.conf',
    });
  });

  it('refuses files made for different keys or addresses: there is one identity', () => {
    const error = importError(() =>
      importRelayFiles(
        [
          { name: 'se-got-wg-001.conf', content: conf() },
          { name: 'se-got-wg-002.conf', content: conf({ privateKey: key(8), publicKey: key(3) }) },
          {
            name: 'se-got-wg-003.conf',
            content: conf({ publicKey: key(4) }).replace('10.66.0.2/32', '10.66.0.3/32'),
          },
        ],
        options(emptyRelayList()),
      ),
    );
    expect(error.problems.map((p) => [p.file, p.message])).toEqual([
      [
        'se-got-wg-002.conf',
        'its [Interface] PrivateKey differs from the one in se-got-wg-001.conf; Sluice has one identity, so import files made for the same key together (or import one file)',
      ],
      [
        'se-got-wg-003.conf',
        "its [Interface] Address (10.66.0.3/32, fd00::2/128) differs from se-got-wg-001.conf's (10.66.0.2/32, fd00::2/128); expected the same identity",
      ],
    ]);
    expect(error.message).not.toContain(key(8));
  });

  it('keeps pre-shared keys beside the list: added, replaced with their relay, dropped on replace', () => {
    const withPsk = conf({ extra: `PresharedKey = ${key(50)}` });
    const first = importRelayFiles(
      [{ name: 'se-got-wg-001.conf', content: withPsk }],
      options(mullvadList()),
    );
    expect(first.presharedKeys).toEqual({ 'se-got-wg-001': key(50) });
    expect(JSON.stringify(first.list)).not.toContain(key(50));

    const second = importRelayFiles(
      [
        {
          name: 'se-got-wg-002.conf',
          content: conf({ publicKey: key(3), extra: `PresharedKey = ${key(51)}` }),
        },
      ],
      options(first.list, { existingPresharedKeys: first.presharedKeys }),
    );
    expect(second.presharedKeys).toEqual({ 'se-got-wg-001': key(50), 'se-got-wg-002': key(51) });

    const withoutPsk = importRelayFiles(
      [{ name: 'se-got-wg-001.conf', content: conf() }],
      options(second.list, { existingPresharedKeys: second.presharedKeys }),
    );
    expect(withoutPsk.presharedKeys).toEqual({ 'se-got-wg-002': key(51) });

    const replaced = importRelayFiles(
      [mullvad],
      options(second.list, { existingPresharedKeys: second.presharedKeys, replace: true }),
    );
    expect(replaced.presharedKeys).toEqual({});
  });
});

describe('bad imports change nothing', () => {
  it('one bad file among several: every problem listed, nothing returned', () => {
    const existing = mullvadList();
    const before = structuredClone(existing);
    const error = importError(() =>
      importRelayFiles(
        [
          { name: 'se-got-wg-001.conf', content: conf() },
          {
            name: 'de-fra-wg-900.conf',
            content: conf({ publicKey: 'oops', endpoint: 'relay.example:51820' }),
          },
          mullvad,
        ],
        options(existing),
      ),
    );
    expect(existing).toEqual(before);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.problems.map((p) => [p.file, p.line])).toEqual([
      ['de-fra-wg-900.conf', 6],
      ['de-fra-wg-900.conf', 8],
      ['relays.json', undefined],
    ]);
    expect(error.field).toBe('de-fra-wg-900.conf, line 6');
    expect(error.message).toMatch(/^de-fra-wg-900\.conf, line 6: PublicKey "oops" is not a WireGuard key;/);
    expect(error.message).toContain(
      '\nde-fra-wg-900.conf, line 8: Endpoint "relay.example:51820" names a host',
    );
    expect(error.message).toContain(
      '\nrelays.json, wireguard.relays[290]: relay "se-got-wg-001" is also imported from se-got-wg-001.conf, line 5; expected each hostname once',
    );
    expect(error.message).toMatch(/\nNothing was imported\.$/);
  });

  it('lists at most 20 problems and counts the rest', () => {
    const files = Array.from({ length: 25 }, (_, i) => ({
      name: `bad-${i}.conf`,
      content: '[Peer]\nPublicKey = x',
    }));
    const error = importError(() => importRelayFiles(files, options(emptyRelayList())));
    expect(error.problems.length).toBeGreaterThan(20);
    expect(error.message.split('\n')).toHaveLength(22);
    expect(error.message).toMatch(/\n… and \d+ more\nNothing was imported\.$/);
  });

  it('refuses a half-given location and no files at all', () => {
    const run = (location: ImportOptions['location']) => () =>
      importRelayFiles([{ name: 'wg0.conf', content: conf() }], options(emptyRelayList(), { location }));
    expect(run({ country: 'se' })).toThrow(
      new ValidationError(
        'location.city',
        'a location for wg-quick files needs both a country and a city, e.g. --country se --city got',
      ),
    );
    expect(run({ city: 'got' })).toThrow(/^location\.country: a location for wg-quick files needs both/);
    expect(run({ country: 'Sweden', city: 'got' })).toThrow(
      /^location\.country: "Sweden" is not a location code/,
    );
    expect(run({ country: 'se', city: 'got', hostname: 'my relay' })).toThrow(/^location\.hostname: /);
    expect(() => importRelayFiles([], options(emptyRelayList()))).toThrow(/^files: no files given/);
  });

  it('says when a location is given for relay lists, which carry their own', () => {
    const result = importRelayFiles(
      [mullvad],
      options(emptyRelayList(), { location: { country: 'se', city: 'got' } }),
    );
    expect(result.warnings).toContain(
      'the location given applies to wg-quick files only; relay lists carry their own',
    );
  });
});
