// Reading `tcpdump -e -n -tt -q` lines, and telling a leak from WireGuard to a relay. Pure functions.
import { ipv4Bytes, ipv6Bytes } from './dns-wire.js';

export type PacketProtocol = 'udp' | 'tcp' | 'icmp' | 'icmp6' | 'arp' | 'other';

export interface CapturedPacket {
  /** Capture time, seconds since the epoch (tcpdump -tt). */
  time: number;
  /** The isp interface it was captured on. */
  interface: string;
  srcMac: string;
  dstMac: string;
  /** As tcpdump prints it: IPv4, IPv6, ARP, ... */
  ethertype: string;
  /** Frame length. */
  length: number;
  protocol: PacketProtocol;
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  /** What tcpdump said after the addresses. */
  info: string;
  line: string;
}

/**
 * The tcpdump argv (without the namespace wrapper) the capture uses: one line a packet, every frame that
 * does not come from the isp's own interface (that is, what the client sent). The direction is a kernel
 * filter rather than `-Q in` so that "received by filter" counts exactly the frames tcpdump will print.
 */
export function tcpdumpArgv(iface: string, ispMac: string): string[] {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(ispMac)) throw new Error(`not a MAC address: ${ispMac}`);
  return [
    'tcpdump',
    '-i',
    iface,
    '-e',
    '-n',
    '-tt',
    '-q',
    '-l',
    '--immediate-mode',
    '-s',
    '200',
    'not',
    'ether',
    'src',
    ispMac,
  ];
}

const LINE_RE = /^(\d+\.\d+) ([0-9a-f:]{17}) > ([0-9a-f:]{17}), (.+?), length (\d+): (.*)$/;
const IP_RE = /^(\S+) > (\S+): (.*)$/;

function protocolOf(info: string): PacketProtocol {
  if (/^UDP\b/.test(info)) return 'udp';
  if (/^(tcp\b|Flags \[)/.test(info)) return 'tcp';
  if (/^(HBH )?ICMP6\b/.test(info)) return 'icmp6';
  if (/^ICMP\b/.test(info)) return 'icmp';
  return 'other';
}

function splitPort(endpoint: string): { host: string; port?: number } {
  const dot = endpoint.lastIndexOf('.');
  const port = Number(endpoint.slice(dot + 1));
  if (dot < 0 || !/^\d+$/.test(endpoint.slice(dot + 1)) || port > 65535) return { host: endpoint };
  return { host: endpoint.slice(0, dot), port };
}

/** One line of tcpdump output; undefined for anything that is not a packet line. */
export function parseTcpdumpLine(line: string, iface: string): CapturedPacket | undefined {
  const m = LINE_RE.exec(line.trimEnd());
  if (!m) return undefined;
  const [, time = '', srcMac = '', dstMac = '', ethertype = '', length = '', rest = ''] = m;
  const packet: CapturedPacket = {
    time: Number(time),
    interface: iface,
    srcMac,
    dstMac,
    ethertype,
    length: Number(length),
    protocol: ethertype === 'ARP' ? 'arp' : 'other',
    info: rest,
    line,
  };
  if (ethertype !== 'IPv4' && ethertype !== 'IPv6') return packet;
  const ip = IP_RE.exec(rest);
  if (!ip) return packet;
  const [, src = '', dst = '', info = ''] = ip;
  packet.info = info;
  packet.protocol = protocolOf(info);
  if (packet.protocol === 'udp' || packet.protocol === 'tcp') {
    const s = splitPort(src);
    const d = splitPort(dst);
    packet.src = s.host;
    packet.dst = d.host;
    if (s.port !== undefined) packet.srcPort = s.port;
    if (d.port !== undefined) packet.dstPort = d.port;
  } else {
    packet.src = src;
    packet.dst = dst;
  }
  return packet;
}

/** Whether two textual addresses are the same IPv4 or IPv6 address. */
export function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const ba = a.includes(':') ? ipv6Bytes(a) : ipv4Bytes(a);
    const bb = b.includes(':') ? ipv6Bytes(b) : ipv4Bytes(b);
    return ba.equals(bb);
  } catch {
    return false;
  }
}

export interface WireguardEndpoint {
  address: string;
  firstPort: number;
  lastPort: number;
}

export type PacketClass = 'wireguard' | 'housekeeping' | 'leak';

const HOUSEKEEPING_ICMP6 =
  /(neighbor (solicitation|advertisement)|router (solicitation|advertisement)|multicast listener|redirect)/;

/**
 * WireGuard: UDP to a relay endpoint. Housekeeping: ARP, and IPv6 neighbour/router discovery and MLD (the
 * link layer's own traffic, not a user's). Everything else from the client is a leak.
 */
export function classifyPacket(packet: CapturedPacket, endpoints: readonly WireguardEndpoint[]): PacketClass {
  if (packet.protocol === 'arp') return 'housekeeping';
  if (packet.protocol === 'icmp6' && HOUSEKEEPING_ICMP6.test(packet.info)) return 'housekeeping';
  if (packet.protocol === 'udp' && packet.dst !== undefined && packet.dstPort !== undefined) {
    const port = packet.dstPort;
    const dst = packet.dst;
    if (endpoints.some((e) => port >= e.firstPort && port <= e.lastPort && sameAddress(dst, e.address))) {
      return 'wireguard';
    }
  }
  return 'leak';
}

export interface TcpdumpStats {
  captured: number;
  receivedByFilter: number;
  droppedByKernel: number;
}

/** The last statistics tcpdump printed on stderr (one line on SIGUSR1, three lines at exit). */
export function parseTcpdumpStats(stderr: string): TcpdumpStats | undefined {
  const re =
    /(\d+) packets? captured[,\n]\s*(\d+) packets? received by filter[,\n]\s*(\d+) packets? dropped by kernel/g;
  let last: TcpdumpStats | undefined;
  for (const m of stderr.matchAll(re)) {
    last = { captured: Number(m[1]), receivedByFilter: Number(m[2]), droppedByKernel: Number(m[3]) };
  }
  return last;
}
