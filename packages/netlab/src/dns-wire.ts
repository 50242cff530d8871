// Just enough of the DNS wire format (RFC 1035, AAAA from RFC 3596) for the lab's resolvers: one question
// in, A/AAAA answers out. Pure functions, so they are unit-tested without a network.
import { type Zone } from './config.js';

export const DNS_TYPES: Readonly<Record<number, string>> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  41: 'OPT',
  64: 'SVCB',
  65: 'HTTPS',
  255: 'ANY',
};

export function dnsTypeName(type: number): string {
  return DNS_TYPES[type] ?? `TYPE${type}`;
}

export interface DnsQuery {
  id: number;
  /** The header's flags word as received. */
  flags: number;
  opcode: number;
  recursionDesired: boolean;
  /** Lower case, without the trailing dot ('' for the root). */
  name: string;
  type: number;
  qclass: number;
  /** The question section as received (echoed back in the answer). */
  question: Buffer;
}

export class DnsFormatError extends Error {
  override name = 'DnsFormatError';
}

/** Parse a query with exactly one question. Throws DnsFormatError on anything else. */
export function parseDnsQuery(message: Buffer): DnsQuery {
  if (message.length < 12) throw new DnsFormatError('message shorter than a header');
  const id = message.readUInt16BE(0);
  const flags = message.readUInt16BE(2);
  if ((flags & 0x8000) !== 0) throw new DnsFormatError('not a query (QR set)');
  const qdcount = message.readUInt16BE(4);
  if (qdcount !== 1) throw new DnsFormatError(`expected one question, got ${qdcount}`);
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    if (offset >= message.length) throw new DnsFormatError('name runs past the message');
    const length = message.readUInt8(offset);
    offset += 1;
    if (length === 0) break;
    if (length > 63) throw new DnsFormatError('compressed or oversized label in the question');
    if (offset + length > message.length) throw new DnsFormatError('label runs past the message');
    labels.push(
      message
        .subarray(offset, offset + length)
        .toString('latin1')
        .toLowerCase(),
    );
    offset += length;
  }
  if (offset + 4 > message.length) throw new DnsFormatError('question without type and class');
  const type = message.readUInt16BE(offset);
  const qclass = message.readUInt16BE(offset + 2);
  offset += 4;
  return {
    id,
    flags,
    opcode: (flags >> 11) & 0x0f,
    recursionDesired: (flags & 0x0100) !== 0,
    name: labels.join('.'),
    type,
    qclass,
    question: Buffer.from(message.subarray(12, offset)),
  };
}

export const RCODE = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5 } as const;

export interface DnsAnswer {
  type: 1 | 28;
  address: string;
}

export function ipv4Bytes(address: string): Buffer {
  const parts = address.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${address}`);
  return Buffer.from(
    parts.map((part) => {
      const n = Number(part);
      if (!/^\d{1,3}$/.test(part) || n > 255) throw new Error(`not an IPv4 address: ${address}`);
      return n;
    }),
  );
}

export function ipv6Bytes(address: string): Buffer {
  const halves = address.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${address}`);
  const groups = (text: string | undefined): number[] => {
    if (text === undefined || text === '') return [];
    return text.split(':').map((group) => {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) throw new Error(`not an IPv6 address: ${address}`);
      return parseInt(group, 16);
    });
  };
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) throw new Error(`not an IPv6 address: ${address}`);
  const all = [...head, ...new Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  const out = Buffer.alloc(16);
  all.forEach((group, i) => out.writeUInt16BE(group, i * 2));
  return out;
}

/** The records a zone holds for a question: undefined when the name does not exist. */
export function lookupZone(zone: Zone, name: string, type: number): DnsAnswer[] | undefined {
  const entry = Object.hasOwn(zone, name) ? zone[name] : undefined;
  if (entry === undefined) return undefined;
  const a = entry.a.map((address): DnsAnswer => ({ type: 1, address }));
  const aaaa = entry.aaaa.map((address): DnsAnswer => ({ type: 28, address }));
  if (type === 1) return a;
  if (type === 28) return aaaa;
  if (type === 255) return [...a, ...aaaa];
  return [];
}

export const ANSWER_TTL = 5;

/** An authoritative answer to `query` with the given records (or the given error code). */
export function buildDnsResponse(query: DnsQuery, rcode: number, answers: readonly DnsAnswer[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.id, 0);
  // QR, the query's opcode, AA, the query's RD, RA; no TC, no Z.
  const flags = 0x8000 | (query.opcode << 11) | 0x0400 | (query.flags & 0x0100) | 0x0080 | (rcode & 0x0f);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const records = answers.map((answer) => {
    const rdata = answer.type === 1 ? ipv4Bytes(answer.address) : ipv6Bytes(answer.address);
    const record = Buffer.alloc(12);
    record.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    record.writeUInt16BE(answer.type, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(ANSWER_TTL, 6);
    record.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([record, rdata]);
  });
  return Buffer.concat([header, query.question, ...records]);
}

/** The whole resolver: a query in, an answer out (undefined: not even a header, drop it). */
export function answerDnsMessage(zone: Zone, message: Buffer): { query?: DnsQuery; response?: Buffer } {
  let query: DnsQuery;
  try {
    query = parseDnsQuery(message);
  } catch {
    if (message.length < 12 || (message.readUInt16BE(2) & 0x8000) !== 0) return {};
    const response = Buffer.alloc(12);
    response.writeUInt16BE(message.readUInt16BE(0), 0);
    response.writeUInt16BE(0x8000 | (message.readUInt16BE(2) & 0x7900) | RCODE.formErr, 2);
    return { response };
  }
  if (query.opcode !== 0) return { query, response: buildDnsResponse(query, RCODE.notImp, []) };
  if (query.qclass !== 1 && query.qclass !== 255) {
    return { query, response: buildDnsResponse(query, RCODE.refused, []) };
  }
  const answers = lookupZone(zone, query.name, query.type);
  if (answers === undefined) return { query, response: buildDnsResponse(query, RCODE.nxDomain, []) };
  return { query, response: buildDnsResponse(query, RCODE.noError, answers) };
}

/** A query for `name` (used by tests and the probe): id, RD set, one question. */
export function buildDnsQuery(id: number, name: string, type: number): Buffer {
  const labels = name === '' ? [] : name.split('.');
  const parts = labels.map((label) => {
    const bytes = Buffer.from(label, 'latin1');
    if (bytes.length === 0 || bytes.length > 63) throw new Error(`bad label in ${name}`);
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(1, 3);
  return Buffer.concat([header, ...parts, tail]);
}
