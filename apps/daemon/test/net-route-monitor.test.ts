import { describe, expect, it } from 'vitest';
import { isMainDefaultRouteChange } from '../src/net/route-monitor.js';

describe('network change lines', () => {
  it.each([
    ['default via 198.51.100.1 dev eth0 proto dhcp src 198.51.100.2 metric 100', true],
    ['Deleted default via 198.51.100.1 dev eth0', true],
    ['default via fe80::1 dev eth0 proto ra metric 1024 pref medium', true],
    ['default via 198.51.100.1 dev eth0 table main', true],
    ['default dev wg-sluice table 21324 scope link', false],
    ['Deleted default dev wg-sluice table 21324', false],
    ['10.64.0.1 dev wg-sluice table 21324 scope link', false],
    ['198.51.100.0/24 dev eth0 proto kernel scope link src 198.51.100.2', false],
    ['local 10.64.0.2 dev wg-sluice table local proto kernel scope host src 10.64.0.2', false],
  ])('%s -> %s', (line, expected) => {
    expect(isMainDefaultRouteChange(line)).toBe(expected);
  });
});
