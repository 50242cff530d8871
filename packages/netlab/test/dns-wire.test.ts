// The resolvers' wire format.
import { describe, expect, it } from 'vitest';
import {
  answerDnsMessage,
  buildDnsQuery,
  dnsTypeName,
  ipv4Bytes,
  ipv6Bytes,
  parseDnsQuery,
  RCODE,
  type Zone,
} from '../src/index.js';

const zone: Zone = { 'web.lab': { a: ['198.51.100.130'], aaaa: ['2001:db8:80::2'] } };

function answers(response: Buffer): { rcode: number; count: number; rdata: Buffer[] } {
  const rcode = response.readUInt16BE(2) & 0x0f;
  const count = response.readUInt16BE(6);
  // Skip header and question (name + 4), then read each answer (pointer, type, class, ttl, rdlength, rdata).
  let offset = 12;
  while (response.readUInt8(offset) !== 0) offset += response.readUInt8(offset) + 1;
  offset += 5;
  const rdata: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const length = response.readUInt16BE(offset + 10);
    rdata.push(response.subarray(offset + 12, offset + 12 + length));
    offset += 12 + length;
  }
  return { rcode, count, rdata };
}

describe('DNS wire format', () => {
  it('parses a query', () => {
    const query = parseDnsQuery(buildDnsQuery(0x1234, 'Web.LAB', 28));
    expect(query).toMatchObject({ id: 0x1234, name: 'web.lab', type: 28, qclass: 1, recursionDesired: true });
    expect(dnsTypeName(query.type)).toBe('AAAA');
    expect(dnsTypeName(999)).toBe('TYPE999');
  });

  it('answers A and AAAA for known names', () => {
    const a = answerDnsMessage(zone, buildDnsQuery(7, 'web.lab', 1));
    expect(a.response?.readUInt16BE(0)).toBe(7);
    expect(answers(a.response ?? Buffer.alloc(0))).toEqual({
      rcode: 0,
      count: 1,
      rdata: [ipv4Bytes('198.51.100.130')],
    });
    const aaaa = answerDnsMessage(zone, buildDnsQuery(8, 'web.lab', 28));
    expect(answers(aaaa.response ?? Buffer.alloc(0)).rdata).toEqual([ipv6Bytes('2001:db8:80::2')]);
    const mx = answerDnsMessage(zone, buildDnsQuery(9, 'web.lab', 15));
    expect(answers(mx.response ?? Buffer.alloc(0))).toEqual({ rcode: 0, count: 0, rdata: [] });
  });

  it('says NXDOMAIN for other names, and FORMERR/NOTIMP for odd messages', () => {
    const nx = answerDnsMessage(zone, buildDnsQuery(1, 'leak-test.example', 1));
    expect(nx.query?.name).toBe('leak-test.example');
    expect((nx.response?.readUInt16BE(2) ?? 0) & 0x0f).toBe(RCODE.nxDomain);
    const truncated = buildDnsQuery(2, 'web.lab', 1).subarray(0, 15);
    expect((answerDnsMessage(zone, truncated).response?.readUInt16BE(2) ?? 0) & 0x0f).toBe(RCODE.formErr);
    const notify = buildDnsQuery(3, 'web.lab', 1);
    notify.writeUInt16BE(0x2000 | 0x0100, 2); // opcode 4 (NOTIFY)
    expect((answerDnsMessage(zone, notify).response?.readUInt16BE(2) ?? 0) & 0x0f).toBe(RCODE.notImp);
    expect(answerDnsMessage(zone, Buffer.alloc(5))).toEqual({});
  });

  it('encodes addresses', () => {
    expect([...ipv4Bytes('10.64.0.1')]).toEqual([10, 64, 0, 1]);
    expect(ipv6Bytes('fc00:bbbb::1').toString('hex')).toBe('fc00bbbb000000000000000000000001');
    expect(ipv6Bytes('::').toString('hex')).toBe('0'.repeat(32));
    expect(ipv6Bytes('2001:db8:1:2:3:4:5:6').toString('hex')).toBe('20010db8000100020003000400050006');
    expect(() => ipv6Bytes('1::2::3')).toThrow();
    expect(() => ipv6Bytes('1:2:3')).toThrow();
    expect(() => ipv4Bytes('256.1.1.1')).toThrow();
  });
});
