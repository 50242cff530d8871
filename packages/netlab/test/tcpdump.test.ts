// Reading tcpdump lines (as captured from a real lab) and counting leaks.
import { describe, expect, it } from 'vitest';
import {
  classifyPacket,
  parseTcpdumpLine,
  parseTcpdumpStats,
  sameAddress,
  tcpdumpArgv,
} from '../src/index.js';

const C = '5e:15:d1:e9:86:5f > 5a:58:69:1a:a6:7e';
const endpoints = [
  { address: '203.0.113.2', firstPort: 51820, lastPort: 51829 },
  { address: '2001:db8:100:1::2', firstPort: 51820, lastPort: 51829 },
];

function parse(rest: string, ethertype = 'IPv4') {
  const packet = parseTcpdumpLine(`1795308360.180155 ${C}, ${ethertype}, length 45: ${rest}`, 'sl-c1');
  if (packet === undefined) throw new Error('not parsed');
  return packet;
}

describe('tcpdump lines', () => {
  it('reads UDP over IPv4 and IPv6 with ports', () => {
    expect(parse('198.51.100.2.53458 > 203.0.113.2.51820: UDP, length 148')).toMatchObject({
      time: 1795308360.180155,
      interface: 'sl-c1',
      srcMac: '5e:15:d1:e9:86:5f',
      protocol: 'udp',
      src: '198.51.100.2',
      srcPort: 53458,
      dst: '203.0.113.2',
      dstPort: 51820,
      length: 45,
    });
    expect(parse('2001:db8:c1::2.53805 > 2001:db8:100:1::2.51825: UDP, length 3', 'IPv6')).toMatchObject({
      protocol: 'udp',
      src: '2001:db8:c1::2',
      dst: '2001:db8:100:1::2',
      dstPort: 51825,
    });
  });

  it('reads TCP, ICMP, ICMPv6 and ARP', () => {
    expect(parse('198.51.100.2.51014 > 198.51.100.130.80: tcp 0')).toMatchObject({
      protocol: 'tcp',
      dstPort: 80,
    });
    expect(parse('198.51.100.2 > 198.51.100.130: ICMP echo request, id 1, seq 1, length 64')).toMatchObject({
      protocol: 'icmp',
      dst: '198.51.100.130',
    });
    const ns = parse(
      '2001:db8:c1::2 > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has 2001:db8:c1::1, length 32',
      'IPv6',
    );
    expect(ns.protocol).toBe('icmp6');
    expect(parse('Request who-has 198.51.100.1 tell 198.51.100.2, length 28', 'ARP').protocol).toBe('arp');
    expect(parseTcpdumpLine('listening on sl-c1, link-type EN10MB (Ethernet)', 'sl-c1')).toBeUndefined();
  });

  it('tells WireGuard to a relay from housekeeping and leaks', () => {
    const wg = parse('198.51.100.2.53458 > 203.0.113.2.51820: UDP, length 148');
    const wgOtherPort = parse('2001:db8:c1::2.1 > 2001:db8:100:1::2.51829: UDP, length 32', 'IPv6');
    const otherRelayPort = parse('198.51.100.2.53458 > 203.0.113.2.51830: UDP, length 148');
    const dns = parse('198.51.100.2.41000 > 198.51.100.253.53: UDP, length 25');
    const tcpToRelay = parse('198.51.100.2.41000 > 203.0.113.2.51820: tcp 0');
    const mld = parse(
      'fe80::1 > ff02::16: HBH ICMP6, multicast listener report v2, 2 group record(s), length 48',
      'IPv6',
    );
    const ping6 = parse('fe80::1 > fe80::2: ICMP6, echo reply, id 1, seq 1, length 64', 'IPv6');
    const arp = parse('Request who-has 198.51.100.1 tell 198.51.100.2, length 28', 'ARP');
    expect(classifyPacket(wg, endpoints)).toBe('wireguard');
    expect(classifyPacket(wgOtherPort, endpoints)).toBe('wireguard');
    expect(classifyPacket(otherRelayPort, endpoints)).toBe('leak');
    expect(classifyPacket(dns, endpoints)).toBe('leak');
    expect(classifyPacket(tcpToRelay, endpoints)).toBe('leak');
    expect(classifyPacket(mld, endpoints)).toBe('housekeeping');
    expect(classifyPacket(ping6, endpoints)).toBe('leak');
    expect(classifyPacket(arp, endpoints)).toBe('housekeeping');
  });

  it('compares addresses by value', () => {
    expect(sameAddress('2001:db8:100:1:0:0:0:2', '2001:db8:100:1::2')).toBe(true);
    expect(sameAddress('2001:DB8::1', '2001:db8::1')).toBe(true);
    expect(sameAddress('203.0.113.2', '203.0.113.20')).toBe(false);
    expect(sameAddress('x', 'y')).toBe(false);
  });

  it('reads the statistics tcpdump prints on SIGUSR1 and at exit', () => {
    expect(
      parseTcpdumpStats(
        'listening on x\ntcpdump: 4 packets captured, 8 packets received by filter, 0 packets dropped by kernel\n',
      ),
    ).toEqual({ captured: 4, receivedByFilter: 8, droppedByKernel: 0 });
    expect(
      parseTcpdumpStats(
        'a\n1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n' +
          '5 packets captured\n6 packets received by filter\n1 packet dropped by kernel\n',
      ),
    ).toEqual({ captured: 5, receivedByFilter: 6, droppedByKernel: 1 });
    expect(parseTcpdumpStats('nothing')).toBeUndefined();
  });

  it('captures only what the client sends, by a kernel filter on the isp MAC', () => {
    expect(tcpdumpArgv('sl-c1', '5a:58:69:1a:a6:7e').slice(-4)).toEqual([
      'not',
      'ether',
      'src',
      '5a:58:69:1a:a6:7e',
    ]);
    expect(() => tcpdumpArgv('sl-c1', 'not a mac')).toThrow();
  });
});
