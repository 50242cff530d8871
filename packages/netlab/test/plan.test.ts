// The address plan and the names that reach argv.
import { describe, expect, it } from 'vitest';
import {
  allNamespaces,
  assertInterfaceName,
  findRelay,
  isLabName,
  labOfNamespace,
  planLab,
  randomLabName,
  relayLocations,
  wireguardInterfaces,
} from '../src/index.js';

const DOC_V4 = /^(192\.0\.2|198\.51\.100|203\.0\.113)\./;

describe('planLab', () => {
  const plan = planLab('slab12');

  it('names every namespace and interface after the lab, within 15 characters', () => {
    expect(allNamespaces(plan)).toEqual([
      'slab12-isp',
      'slab12-client',
      'slab12-web',
      'slab12-se-got',
      'slab12-de-fra',
      'slab12-us-nyc',
    ]);
    const interfaces = [
      ...plan.uplinks.flatMap((l) => [l.ispInterface, l.peerInterface]),
      plan.web.link.ispInterface,
      plan.web.link.peerInterface,
      ...plan.relays.flatMap((r) => [r.link.ispInterface, r.link.peerInterface, r.wgInterface]),
      ...wireguardInterfaces(plan),
    ];
    for (const name of interfaces) {
      expect(name.startsWith('slab12-')).toBe(true);
      expect(name.length).toBeLessThanOrEqual(15);
    }
    // wireguard-go names share /var/run/wireguard: unique within the lab.
    expect(new Set(wireguardInterfaces(plan)).size).toBe(wireguardInterfaces(plan).length);
  });

  it('uses documentation ranges for every public address', () => {
    const links = [...plan.uplinks, plan.web.link, ...plan.relays.map((r) => r.link)];
    for (const link of links) {
      for (const address of [link.isp, link.peer]) {
        expect(address.v4).toMatch(DOC_V4);
        expect(address.v6.startsWith('2001:db8:')).toBe(true);
      }
    }
    expect(plan.ispResolver.v4).toMatch(DOC_V4);
    expect(plan.ispResolver.v6.startsWith('2001:db8:')).toBe(true);
  });

  it('gives each relay its own endpoint and the same in-tunnel gateway', () => {
    const relays = planLab('slab12', 12).relays;
    expect(new Set(relays.map((r) => r.link.peer.v4)).size).toBe(12);
    expect(new Set(relays.map((r) => r.link.peer.v6)).size).toBe(12);
    expect(relays.map((r) => r.hostname).slice(0, 3)).toEqual([
      'se-got-wg-001',
      'de-fra-wg-001',
      'us-nyc-wg-001',
    ]);
    expect(plan.tunnel.gateway).toEqual({ v4: '10.64.0.1', v6: 'fc00:bbbb::1' });
    expect(relays[11]?.link.peer.v6).toBe('2001:db8:100:c::2');
  });

  it('finds relays by name or hostname', () => {
    expect(findRelay(plan, 'de-fra').hostname).toBe('de-fra-wg-001');
    expect(findRelay(plan, 'us-nyc-wg-001').location.name).toBe('us-nyc');
    expect(() => findRelay(plan, 'xx-yyy')).toThrow(/no relay/);
  });

  it('rejects bad names and relay counts', () => {
    expect(() => planLab('lab12')).toThrow(/not a lab name/);
    expect(() => planLab('sl-a; rm')).toThrow();
    expect(() => relayLocations(0)).toThrow(RangeError);
    expect(() => relayLocations(13)).toThrow(RangeError);
  });
});

describe('names', () => {
  it('makes lab names of the family the stale sweep recognises', () => {
    for (let i = 0; i < 50; i++) expect(isLabName(randomLabName())).toBe(true);
    expect(labOfNamespace('slab12-se-got')).toBe('slab12');
    expect(labOfNamespace('slab12-client')).toBe('slab12');
    expect(labOfNamespace('slab12-other')).toBeUndefined();
    expect(labOfNamespace('netns-slab12-isp')).toBeUndefined();
  });

  it('checks interface names', () => {
    expect(() => assertInterfaceName('slab12-wg0')).not.toThrow();
    expect(() => assertInterfaceName('a-name-that-is-too-long')).toThrow(/15/);
    expect(() => assertInterfaceName('bad/name')).toThrow();
    expect(() => assertInterfaceName('-flag')).toThrow();
  });
});
