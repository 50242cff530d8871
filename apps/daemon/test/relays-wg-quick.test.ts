// wg-quick .conf import: identity and relays from good files, and for bad ones problems that name the
// file, the line and what was expected.
import { describe, expect, it } from 'vitest';
import { readFileName } from '../src/relays/file-name.js';
import { isWireguardKey } from '../src/relays/fields.js';
import { RelayImportError, type ImportProblem } from '../src/relays/import-error.js';
import { parseEndpoint } from '../src/relays/wg-quick-values.js';
import { parseWgQuickFile } from '../src/relays/wg-quick.js';

/** A valid, distinct WireGuard key per seed. */
const key = (seed: number): string => Buffer.alloc(32, seed).toString('base64');
const PRIVATE = key(1);
const PUBLIC = key(2);

const mullvadStyle = (peer = `Endpoint = 198.51.100.7:51820`): string =>
  [
    '[Interface]',
    '# Device: Quick Otter',
    `PrivateKey = ${PRIVATE}`,
    'Address = 10.64.0.2/32,fc00:bbbb:bbbb:bb01::2/128',
    'DNS = 10.64.0.1',
    '',
    '[Peer]',
    `PublicKey = ${PUBLIC}`,
    'AllowedIPs = 0.0.0.0/0,::0/0',
    peer,
    '',
  ].join('\n');

function problemsOf(run: () => unknown): ImportProblem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof RelayImportError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a RelayImportError');
}

describe('wg-quick files', () => {
  it('refuses a file of millions of lines at once, naming the limit', () => {
    const problems = problemsOf(() => parseWgQuickFile('se-got-wg-001.conf', 'x = y\n'.repeat(2_000_000)));
    expect(problems).toEqual([
      { file: 'se-got-wg-001.conf', message: 'has 2000001 lines; a wg-quick file has at most 100000' },
    ]);
  });

  it('never echoes a key: a bare private key on a line, in a section or outside one', () => {
    const outside = problemsOf(() => parseWgQuickFile('se-got-wg-001.conf', `${PRIVATE}\n${mullvadStyle()}`));
    expect(outside.map((p) => p.message).join('\n')).not.toContain(PRIVATE);
    expect(outside[0]?.message).toContain('<key not shown>');
    const inside = parseWgQuickFile(
      'se-got-wg-001.conf',
      mullvadStyle().replace('[Peer]', `[Peer]\n${PRIVATE}`),
    );
    expect(inside.warnings.join('\n')).not.toContain(PRIVATE.slice(0, 40));
    expect(inside.warnings.join('\n')).toContain('<key not shown>');
  });

  it('refuses endpoints and resolvers packets cannot go to (loopback, unspecified, multicast)', () => {
    for (const endpoint of [
      '127.0.0.1:51820',
      '0.0.0.0:51820',
      '224.0.0.5:51820',
      '[::1]:51820',
      '[ff02::1]:51820',
    ]) {
      const problems = problemsOf(() =>
        parseWgQuickFile('se-got-wg-001.conf', mullvadStyle(`Endpoint = ${endpoint}`)),
      );
      expect(problems.map((p) => p.message).join(' '), endpoint).toMatch(
        /Endpoint .*(loopback|unspecified|multicast)/,
      );
    }
    const dns = problemsOf(() =>
      parseWgQuickFile('se-got-wg-001.conf', mullvadStyle().replace('DNS = 10.64.0.1', 'DNS = 0.0.0.0')),
    );
    expect(dns[0]?.message).toMatch(/DNS "0.0.0.0" is the unspecified address/);
  });

  it('carries IPv6 through a relay whose AllowedIPs has ::/0, and says when a file keeps it out', () => {
    const ipv6 = (allowed: string) =>
      parseWgQuickFile('se-got-wg-001.conf', mullvadStyle().replace('AllowedIPs = 0.0.0.0/0,::0/0', allowed))
        .relays[0]?.relay.tunnelIpv4Only;
    expect(ipv6('AllowedIPs = 0.0.0.0/0,::0/0')).toBe(false);
    expect(ipv6('AllowedIPs = 0.0.0.0/0, ::/1, 8000::/1')).toBe(false);
    expect(ipv6('AllowedIPs = 0.0.0.0/0')).toBe(true);
  });

  it('gives the identity from [Interface] and a located relay from [Peer]', () => {
    const parsed = parseWgQuickFile('se-got-wg-001.conf', mullvadStyle());
    expect(parsed.identity).toEqual({
      privateKey: PRIVATE,
      addresses: ['10.64.0.2/32', 'fc00:bbbb:bbbb:bb01::2/128'],
      dnsServers: ['10.64.0.1'],
      file: 'se-got-wg-001.conf',
    });
    expect(parsed.relays).toHaveLength(1);
    expect(parsed.relays[0]).toMatchObject({
      country: { code: 'se' },
      city: { code: 'got' },
      file: 'se-got-wg-001.conf',
      line: 7,
      relay: {
        hostname: 'se-got-wg-001',
        ipv4AddrIn: '198.51.100.7',
        ipv6AddrIn: '',
        publicKey: PUBLIC,
        provider: '',
        owned: false,
        active: true,
        weight: 100,
        port: 51820,
        dnsServers: ['10.64.0.1'],
      },
    });
    expect(parsed.relays[0]?.presharedKey).toBeUndefined();
    expect(parsed.warnings).toEqual([]);
    expect(parsed.wireguard).toBeUndefined();
  });

  it('takes an IPv6 endpoint in brackets', () => {
    const parsed = parseWgQuickFile('se-got-wg-001.conf', mullvadStyle('Endpoint = [2001:DB8::7]:4500'));
    expect(parsed.relays[0]?.relay).toMatchObject({ ipv4AddrIn: '', ipv6AddrIn: '2001:db8::7', port: 4500 });
  });

  it('reads CRLF, a byte-order mark, comments after values and keys in any case', () => {
    const text =
      '\uFEFF[interface]\r\nprivatekey = ' +
      PRIVATE +
      ' # mine\r\naddress=10.2.0.2\r\ndns = 10.2.0.1, FC00::1\r\n[PEER]\r\nPUBLICKEY=' +
      PUBLIC +
      '\r\nendpoint = 203.0.113.9:51820 # relay\r\n';
    const parsed = parseWgQuickFile('nl-ams-001.conf', text);
    expect(parsed.identity?.addresses).toEqual(['10.2.0.2/32']);
    expect(parsed.identity?.dnsServers).toEqual(['10.2.0.1', 'fc00::1']);
    expect(parsed.relays[0]?.relay).toMatchObject({ hostname: 'nl-ams-001', ipv4AddrIn: '203.0.113.9' });
  });

  it('keeps a PresharedKey with the relay (it is needed for the handshake)', () => {
    const text = mullvadStyle(`Endpoint = 198.51.100.7:51820\nPresharedKey = ${key(9)}`);
    expect(parseWgQuickFile('se-got-wg-001.conf', text).relays[0]?.presharedKey).toBe(key(9));
  });

  it('names the relays of a multi-peer file -2, -3, …', () => {
    const text = `${mullvadStyle()}\n[Peer]\nPublicKey = ${key(3)}\nEndpoint = 198.51.100.8:51820\n`;
    const parsed = parseWgQuickFile('se-got-wg-001.conf', text);
    expect(parsed.relays.map((r) => r.relay.hostname)).toEqual(['se-got-wg-001', 'se-got-wg-001-2']);
  });

  it('without [Interface] imports relays only, and says the identity is unchanged', () => {
    const text = `[Peer]\nPublicKey = ${PUBLIC}\nEndpoint = 198.51.100.7:51820\n`;
    const parsed = parseWgQuickFile('se-got-wg-001.conf', text);
    expect(parsed.identity).toBeUndefined();
    expect(parsed.relays[0]?.relay.dnsServers).toEqual([]);
    expect(parsed.warnings).toEqual([
      'se-got-wg-001.conf: no [Interface] section; the identity is left as it is',
    ]);
  });

  it('warns about what it ignores', () => {
    const text = [
      '[Interface]',
      `PrivateKey = ${PRIVATE}`,
      'Address = 10.64.0.2/32',
      'DNS = 10.64.0.1, corp.example',
      'ListenPort = 99999',
      'MTU = 1280',
      'PostUp = iptables -A OUTPUT -j DROP',
      'Table = off',
      'Jc = 4',
      '[Peer]',
      `PublicKey = ${PUBLIC}`,
      'AllowedIPs = 10.0.0.0/8, 192.168.0.0/16',
      'PersistentKeepalive = 25',
      'Endpoint = 198.51.100.7:51820',
      'Fancy = yes',
    ].join('\n');
    const parsed = parseWgQuickFile('se-got-wg-001.conf', text);
    expect(parsed.warnings).toEqual([
      'se-got-wg-001.conf, line 4: DNS search domain "corp.example" is ignored; only resolver addresses are used',
      'se-got-wg-001.conf, line 5: ListenPort "99999" is not a port; ignored (Sluice picks its own listen port)',
      'se-got-wg-001.conf, line 6: MTU = 1280 is not applied per relay; set it with "sluice tunnel set mtu 1280" if you need it',
      'se-got-wg-001.conf, line 7: PostUp is ignored: Sluice never runs commands from imported files',
      'se-got-wg-001.conf, line 8: Table is ignored: Sluice does its own policy routing',
      'se-got-wg-001.conf, line 9: unknown [Interface] key "Jc"; ignored',
      'se-got-wg-001.conf, line 12: AllowedIPs = 10.0.0.0/8, 192.168.0.0/16 is ignored: Sluice sends all traffic through the tunnel (use bypass ranges or split tunnelling to keep some out)',
      'se-got-wg-001.conf, line 15: unknown [Peer] key "Fancy"; ignored',
    ]);
    expect(parsed.identity?.dnsServers).toEqual(['10.64.0.1']);
  });

  it('warns when there is no DNS line', () => {
    const text = mullvadStyle().replace('DNS = 10.64.0.1\n', '');
    expect(parseWgQuickFile('se-got-wg-001.conf', text).warnings).toEqual([
      expect.stringMatching(/^se-got-wg-001\.conf, line 1: no DNS line;/),
    ]);
  });
});

describe('locations from file names', () => {
  it.each([
    ['se-got-wg-001.conf', { country: 'se', city: 'got' }, 'se-got-wg-001', ''],
    ['se-got-001.conf', { country: 'se', city: 'got' }, 'se-got-001', ''],
    ['mullvad-se-got-wg-001.conf', { country: 'se', city: 'got' }, 'se-got-wg-001', 'mullvad'],
    ['/home/ana/Downloads/US-NYC-WG-301.conf', { country: 'us', city: 'nyc' }, 'us-nyc-wg-301', ''],
    ['my-vpn-de-fra-wg-002.conf', { country: 'de', city: 'fra' }, 'de-fra-wg-002', 'my-vpn'],
    ['acme_ch_zrh.conf', { country: 'ch', city: 'zrh' }, 'ch-zrh', 'acme'],
    ['wg0.conf', undefined, 'wg0', ''],
    ['proton-wg-se-12.conf', undefined, 'proton-wg-se-12', ''],
  ])('%s', (name, location, hostname, provider) => {
    const info = readFileName(name);
    expect(info.location).toEqual(location);
    expect(info.hostname).toBe(hostname);
    expect(info.provider).toBe(provider);
  });

  it('uses the part before the location as provider unless the caller names one', () => {
    expect(parseWgQuickFile('mullvad-se-got-wg-001.conf', mullvadStyle()).relays[0]?.relay).toMatchObject({
      hostname: 'se-got-wg-001',
      provider: 'mullvad',
    });
    const named = parseWgQuickFile('mullvad-se-got-wg-001.conf', mullvadStyle(), { provider: 'Mullvad VPN' });
    expect(named.relays[0]?.relay.provider).toBe('Mullvad VPN');
  });

  it('takes a given location over the name, and the file name as hostname when it has no location', () => {
    const plain = parseWgQuickFile('wg0.conf', mullvadStyle(), { location: { country: 'de', city: 'fra' } });
    expect(plain.relays[0]).toMatchObject({
      country: { code: 'de' },
      city: { code: 'fra' },
      relay: { hostname: 'wg0' },
    });
    const renamed = parseWgQuickFile('se-got-wg-001.conf', mullvadStyle(), {
      location: { country: 'de', city: 'fra', hostname: 'office' },
    });
    expect(renamed.relays[0]).toMatchObject({ country: { code: 'de' }, relay: { hostname: 'office' } });
  });

  it('refuses a file whose name gives no location when none is given', () => {
    expect(problemsOf(() => parseWgQuickFile('wg0.conf', mullvadStyle()))).toEqual([
      {
        file: 'wg0.conf',
        message:
          'the name gives no location; name the file like se-got-wg-001.conf (<country>-<city>-…) or give the location (--country and --city)',
      },
    ]);
    expect(problemsOf(() => parseWgQuickFile('proton-se-12.conf', mullvadStyle()))[0]?.message).toMatch(
      /^the name gives the country "se" but no city;/,
    );
  });
});

describe('bad wg-quick files', () => {
  it('names the line and what was expected for each bad value, and never echoes a secret', () => {
    const secretLooking = 'c2VjcmV0LXByaXZhdGUta2V5LXRoYXQtaXMtdG9vLWxvbmc=';
    const text = [
      '[Interface]',
      `PrivateKey = ${secretLooking}`,
      'Address = 10.64.0.2/33, 10.64.0.300',
      'DNS = 10.64.0, fc00:zz::1',
      '[Peer]',
      'PublicKey = abc',
      'PresharedKey = short',
      'Endpoint = 198.51.100.7:70000',
    ].join('\n');
    const problems = problemsOf(() => parseWgQuickFile('se-got-wg-001.conf', text));
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [
        2,
        'PrivateKey is not a WireGuard key (48 characters given, not shown: it is secret); expected 44 characters of base64 encoding 32 bytes, ending in "="',
      ],
      [3, 'Address "10.64.0.2/33" has prefix length "33"; expected 0 to 32'],
      [
        3,
        'Address "10.64.0.300" is not an address; expected an address with prefix, e.g. 10.64.0.2/32 or fc00:bbbb:bbbb:bb01::2/128',
      ],
      [4, 'DNS "10.64.0" is not an IP address; expected one such as 198.51.100.1 or 2001:db8::1'],
      [4, 'DNS "fc00:zz::1" is not an IP address; expected one such as 198.51.100.1 or 2001:db8::1'],
      [
        6,
        'PublicKey "abc" is not a WireGuard key; expected 44 characters of base64 encoding 32 bytes, ending in "="',
      ],
      [
        7,
        'PresharedKey is not a WireGuard key (5 characters given, not shown: it is secret); expected 44 characters of base64 encoding 32 bytes, ending in "="',
      ],
      [
        8,
        'Endpoint "198.51.100.7:70000": port "70000" is not a port; expected a whole number from 1 to 65535',
      ],
    ]);
    expect(problems.every((p) => p.file === 'se-got-wg-001.conf')).toBe(true);
    const error = (() => {
      try {
        parseWgQuickFile('se-got-wg-001.conf', text);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/^se-got-wg-001\.conf, line 2: PrivateKey is not a WireGuard key/);
    expect(error?.message).not.toContain(secretLooking);
    expect(error?.message).toMatch(/Nothing was imported\.$/);
  });

  it('refuses host names in Endpoint: the firewall needs an IP', () => {
    const problems = problemsOf(() =>
      parseWgQuickFile('se-got-wg-001.conf', mullvadStyle('Endpoint = se-got-wg-001.relays.example:51820')),
    );
    expect(problems).toEqual([
      {
        file: 'se-got-wg-001.conf',
        line: 10,
        message: expect.stringMatching(
          /^Endpoint "se-got-wg-001\.relays\.example:51820" names a host, not an IP address; Sluice needs the relay's IP address/,
        ) as string,
      },
    ]);
  });

  it.each([
    ['198.51.100.7', /has no port; expected <IPv4>:<port> or \[<IPv6>\]:<port>/],
    ['198.51.100.7:', /has no port/],
    ['198.51.100.7:0', /port "0" is not a port/],
    ['198.51.100.7:http', /port "http" is not a port/],
    ['2001:db8::7', /has no port; write IPv6 endpoints as \[<IPv6>\]:<port>/],
    ['2001:db8::7:51820', /write IPv6 endpoints in brackets, e\.g\. \[2001:db8::7\]:51820/],
    ['[198.51.100.7]:51820', /in brackets is not an IPv6 address/],
    ['[2001:db8::7]', /has no port/],
    ['1.2.3:51820', /is not an address with a port/],
  ])('Endpoint %s is refused', (endpoint, message) => {
    const parsed = parseEndpoint(endpoint);
    expect('problem' in parsed ? parsed.problem : '').toMatch(message);
  });

  it('names missing keys at their section header', () => {
    const text = ['[Interface]', 'DNS = 10.64.0.1', '', '[Peer]', 'AllowedIPs = 0.0.0.0/0'].join('\n');
    expect(
      problemsOf(() => parseWgQuickFile('se-got-wg-001.conf', text)).map((p) => [p.line, p.message]),
    ).toEqual([
      [1, '[Interface] has no PrivateKey; expected "PrivateKey = <44-character base64 key>"'],
      [1, '[Interface] has no Address; expected e.g. "Address = 10.64.0.2/32, fc00::2/128"'],
      [4, '[Peer] has no PublicKey; expected "PublicKey = <44-character base64 key>"'],
      [4, '[Peer] has no Endpoint; expected "Endpoint = <IP address>:<port>"'],
    ]);
  });

  it('reports structure problems: stray keys, unknown sections, repeats, lines that are not Key = Value', () => {
    const text = [
      'PrivateKey = x',
      '[Interface]',
      `PrivateKey = ${PRIVATE}`,
      'Address = 10.64.0.2/32',
      `PrivateKey = ${key(5)}`,
      '[Interface]',
      'Address = 10.64.0.3/32',
      '[Peer]',
      `PublicKey = ${PUBLIC}`,
      'Endpoint 198.51.100.7:51820',
      'Endpoint = 198.51.100.7:51820',
      'Endpoint = 198.51.100.8:51820',
      '[Wormhole]',
      'Speed = 11',
    ].join('\n');
    expect(
      problemsOf(() => parseWgQuickFile('se-got-wg-001.conf', text)).map((p) => [p.line, p.message]),
    ).toEqual([
      [1, '"PrivateKey" is outside any section; expected it under [Interface] or [Peer]'],
      [5, 'PrivateKey is given twice in this [Interface] (first on line 3)'],
      [6, 'a second [Interface] section (the first is on line 2); expected one'],
      [10, 'expected "Key = Value" or a section header such as [Peer]; this line has no "="'],
      [12, 'Endpoint is given twice in this [Peer] (first on line 11)'],
      [13, 'unknown section [Wormhole]; expected [Interface] or [Peer]'],
    ]);
  });

  it('refuses a file without peers', () => {
    const text = `[Interface]\nPrivateKey = ${PRIVATE}\nAddress = 10.64.0.2/32\nDNS = 10.64.0.1\n`;
    expect(problemsOf(() => parseWgQuickFile('se-got-wg-001.conf', text))).toEqual([
      {
        file: 'se-got-wg-001.conf',
        message: 'no [Peer] section; expected at least one [Peer] with PublicKey and Endpoint',
      },
    ]);
  });
});

describe('WireGuard keys', () => {
  it('accepts exactly the canonical base64 of 32 bytes', () => {
    for (let seed = 0; seed < 256; seed += 17) expect(isWireguardKey(key(seed))).toBe(true);
    const real = 'rWiQxq5lAWD8v/bws9ITSAvThyZW8cR2x+Ins9ZvvRo=';
    expect(isWireguardKey(real)).toBe(true);
    expect(Buffer.from(real, 'base64')).toHaveLength(32);
    expect(isWireguardKey(real.slice(0, 43))).toBe(false); // no padding
    expect(isWireguardKey(`${real.slice(0, 42)}p=`)).toBe(false); // leftover bits set: not canonical
    expect(isWireguardKey(`${real.slice(0, 42)}-=`)).toBe(false);
    expect(isWireguardKey(Buffer.alloc(31).toString('base64'))).toBe(false);
    expect(isWireguardKey(Buffer.alloc(33).toString('base64'))).toBe(false);
    expect(isWireguardKey(`${real} `)).toBe(false);
  });
});
