// Pure text the lab hands to tools: `ip -batch` scripts, sysctls, nft rulesets, wg-quick and wg(8)
// configs, the relay list, resolv.conf and the resolvers' zone.
import { type DualAddress, type LabPlan, type LinkPlan, type RelayPlan } from './plan.js';
import { type KeyPair } from './keys.js';

// ---------------------------------------------------------------------------------------------------
// ip -batch

function addressLines(iface: string, address: DualAddress, link: LinkPlan): string[] {
  return [
    `address add ${address.v4}/${link.v4Prefix} dev ${iface}`,
    `address add ${address.v6}/${link.v6Prefix} dev ${iface} nodad`,
  ];
}

/** The isp: creates every link (the far ends are created straight in their namespaces), and routes. */
export function ispBatch(plan: LabPlan): string {
  const peers: { link: LinkPlan; namespace: string }[] = [
    ...plan.uplinks.map((link) => ({ link, namespace: plan.namespaces.client })),
    { link: plan.web.link, namespace: plan.namespaces.web },
    ...plan.relays.map((relay) => ({ link: relay.link, namespace: relay.namespace })),
  ];
  const lines = ['link set dev lo up'];
  for (const { link, namespace } of peers) {
    lines.push(`link add ${link.ispInterface} type veth peer name ${link.peerInterface} netns ${namespace}`);
  }
  for (const { link } of peers) {
    lines.push(...addressLines(link.ispInterface, link.isp, link), `link set dev ${link.ispInterface} up`);
  }
  lines.push(
    `address add ${plan.ispResolver.v4}/32 dev lo`,
    `address add ${plan.ispResolver.v6}/128 dev lo nodad`,
  );
  return lines.join('\n') + '\n';
}

/** An end host on one link: address, link up, default routes via the isp. */
export function hostBatch(link: LinkPlan): string {
  return (
    [
      'link set dev lo up',
      ...addressLines(link.peerInterface, link.peer, link),
      `link set dev ${link.peerInterface} up`,
      `route add default via ${link.isp.v4} dev ${link.peerInterface}`,
      `route add ::/0 via ${link.isp.v6} dev ${link.peerInterface}`,
    ].join('\n') + '\n'
  );
}

/** The client starts on uplink 1; uplink 2 stays down until changeClientUplink. */
export function clientBatch(plan: LabPlan): string {
  return hostBatch(plan.uplinks[0]);
}

/** Move the client's addresses and default routes from one uplink to the other (a network change). */
export function switchUplinkBatch(from: LinkPlan, to: LinkPlan): string {
  return (
    [
      `link set dev ${to.peerInterface} up`,
      ...addressLines(to.peerInterface, to.peer, to),
      `route replace default via ${to.isp.v4} dev ${to.peerInterface}`,
      `route replace ::/0 via ${to.isp.v6} dev ${to.peerInterface}`,
      `address flush dev ${from.peerInterface}`,
      `link set dev ${from.peerInterface} down`,
    ].join('\n') + '\n'
  );
}

/** A relay's WireGuard device, once wireguard-go has made it. */
export function relayTunnelBatch(plan: LabPlan, relay: RelayPlan): string {
  return (
    [
      `address add ${plan.tunnel.gateway.v4}/16 dev ${relay.wgInterface}`,
      `address add ${plan.tunnel.gateway.v6}/64 dev ${relay.wgInterface} nodad`,
      `link set dev ${relay.wgInterface} up`,
    ].join('\n') + '\n'
  );
}

// ---------------------------------------------------------------------------------------------------
// sysctl (inside each namespace)

export function namespaceSysctls(role: 'isp' | 'client' | 'web' | 'relay'): string[] {
  const common = [
    'net.ipv6.conf.all.accept_dad=0',
    'net.ipv6.conf.default.accept_dad=0',
    'net.ipv6.conf.all.accept_ra=0',
    'net.ipv6.conf.default.accept_ra=0',
    'net.ipv6.conf.default.router_solicitations=0',
  ];
  const router = ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'];
  return role === 'isp' || role === 'relay' ? [...common, ...router] : common;
}

// ---------------------------------------------------------------------------------------------------
// nftables (inside the isp and relay namespaces only)

export const NFT_TABLE = 'netlab';

/** The isp's table: a forward filter with the fault hooks (blackholed relays, path MTU). */
export function ispRuleset(): string {
  return `table inet ${NFT_TABLE} {
  set blackhole4 {
    type ipv4_addr
  }
  set blackhole6 {
    type ipv6_addr
  }
  chain pmtu {
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    ip saddr @blackhole4 drop
    ip daddr @blackhole4 drop
    ip6 saddr @blackhole6 drop
    ip6 daddr @blackhole6 drop
    jump pmtu
  }
}
`;
}

function nftNames(names: readonly string[]): string {
  return `{ ${names.map((n) => JSON.stringify(n)).join(', ')} }`;
}

/** Replace the blackholed relays (packets to and from them vanish at the isp). */
export function blackholeCommands(relays: readonly RelayPlan[]): string {
  const lines = [`flush set inet ${NFT_TABLE} blackhole4`, `flush set inet ${NFT_TABLE} blackhole6`];
  if (relays.length > 0) {
    lines.push(
      `add element inet ${NFT_TABLE} blackhole4 { ${relays.map((r) => r.link.peer.v4).join(', ')} }`,
      `add element inet ${NFT_TABLE} blackhole6 { ${relays.map((r) => r.link.peer.v6).join(', ')} }`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Drop packets larger than `mtu` bytes (IP length) between the client and any relay; null removes it. */
export function pathMtuCommands(plan: LabPlan, mtu: number | null): string {
  const lines = [`flush chain inet ${NFT_TABLE} pmtu`];
  if (mtu !== null) {
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535)
      throw new RangeError(`path MTU out of range: ${mtu}`);
    const client = nftNames(plan.uplinks.map((l) => l.ispInterface));
    const relays = nftNames(plan.relays.map((r) => r.link.ispInterface));
    lines.push(
      `add rule inet ${NFT_TABLE} pmtu iifname ${client} oifname ${relays} meta length > ${mtu} drop`,
      `add rule inet ${NFT_TABLE} pmtu iifname ${relays} oifname ${client} meta length > ${mtu} drop`,
    );
  }
  return lines.join('\n') + '\n';
}

/** A relay's table: other ports of the range lead to wireguard-go; tunnel traffic leaves NATed. */
export function relayRuleset(plan: LabPlan, relay: RelayPlan): string {
  const up = JSON.stringify(relay.link.peerInterface);
  const { first, last } = relay.portRange;
  const redirect =
    last > first || first !== relay.port
      ? `    iifname ${up} udp dport ${first}-${last} udp dport != ${relay.port} redirect to :${relay.port}\n`
      : '';
  return `table inet ${NFT_TABLE} {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
${redirect}  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname ${up} ip saddr ${plan.tunnel.v4Net} masquerade
    oifname ${up} ip6 saddr ${plan.tunnel.v6Net} masquerade
  }
}
`;
}

// ---------------------------------------------------------------------------------------------------
// WireGuard configs

export interface WgQuickConf {
  privateKey: string;
  addresses: string[];
  dns: string[];
  listenPort?: number;
  peers: {
    publicKey: string;
    allowedIps: string[];
    endpoint?: string;
    presharedKey?: string;
    persistentKeepalive?: number;
  }[];
}

function endpoint(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The client identity's wg-quick config for one relay (IPv4 endpoint), as a provider would hand it out. */
export function relayWgQuickConf(
  plan: LabPlan,
  relay: RelayPlan,
  client: KeyPair,
  relayKey: KeyPair,
): string {
  return formatWgQuick({
    privateKey: client.privateKey,
    addresses: [`${plan.tunnel.client.v4}/32`, `${plan.tunnel.client.v6}/128`],
    dns: [plan.tunnel.gateway.v4, plan.tunnel.gateway.v6],
    peers: [
      {
        publicKey: relayKey.publicKey,
        allowedIps: ['0.0.0.0/0', '::/0'],
        endpoint: endpoint(relay.link.peer.v4, relay.port),
      },
    ],
  });
}

/** File name of a relay's wg-quick config, e.g. se-got-wg-001.conf. */
export function relayConfFileName(relay: RelayPlan): string {
  return `${relay.hostname}.conf`;
}

export function formatWgQuick(conf: WgQuickConf): string {
  const lines = ['[Interface]', `PrivateKey = ${conf.privateKey}`];
  if (conf.listenPort !== undefined) lines.push(`ListenPort = ${conf.listenPort}`);
  if (conf.addresses.length > 0) lines.push(`Address = ${conf.addresses.join(', ')}`);
  if (conf.dns.length > 0) lines.push(`DNS = ${conf.dns.join(', ')}`);
  for (const peer of conf.peers) {
    lines.push('', '[Peer]', `PublicKey = ${peer.publicKey}`);
    if (peer.presharedKey !== undefined) lines.push(`PresharedKey = ${peer.presharedKey}`);
    lines.push(`AllowedIPs = ${peer.allowedIps.join(', ')}`);
    if (peer.endpoint !== undefined) lines.push(`Endpoint = ${peer.endpoint}`);
    if (peer.persistentKeepalive !== undefined)
      lines.push(`PersistentKeepalive = ${peer.persistentKeepalive}`);
  }
  return lines.join('\n') + '\n';
}

/** Parse a wg-quick config (the keys the lab and its tests use; others are ignored). */
export function parseWgQuick(text: string): WgQuickConf {
  const conf: WgQuickConf = { privateKey: '', addresses: [], dns: [], peers: [] };
  let section: 'interface' | 'peer' | undefined;
  const list = (value: string): string[] =>
    value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  for (const [number, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      const name = header[1]?.toLowerCase();
      if (name === 'interface') section = 'interface';
      else if (name === 'peer') {
        section = 'peer';
        conf.peers.push({ publicKey: '', allowedIps: [] });
      } else throw new Error(`line ${number + 1}: unknown section [${header[1] ?? ''}]`);
      continue;
    }
    const kv = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (!kv || section === undefined)
      throw new Error(`line ${number + 1}: expected "Key = value" in a section`);
    const key = (kv[1] ?? '').toLowerCase();
    const value = kv[2] ?? '';
    if (section === 'interface') {
      if (key === 'privatekey') conf.privateKey = value;
      else if (key === 'address') conf.addresses.push(...list(value));
      else if (key === 'dns') conf.dns.push(...list(value));
      else if (key === 'listenport') conf.listenPort = Number(value);
    } else {
      const peer = conf.peers[conf.peers.length - 1];
      if (peer === undefined) continue;
      if (key === 'publickey') peer.publicKey = value;
      else if (key === 'allowedips') peer.allowedIps.push(...list(value));
      else if (key === 'endpoint') peer.endpoint = value;
      else if (key === 'presharedkey') peer.presharedKey = value;
      else if (key === 'persistentkeepalive') peer.persistentKeepalive = Number(value);
    }
  }
  if (conf.privateKey === '') throw new Error('wg-quick config without [Interface] PrivateKey');
  return conf;
}

/** What `wg setconf` accepts: the config without wg-quick's own keys (Address, DNS, ...). */
export function wgSetconfText(conf: WgQuickConf): string {
  return formatWgQuick({ ...conf, addresses: [], dns: [] });
}

// ---------------------------------------------------------------------------------------------------
// The relay list, in Sluice's JSON format (the proto3 JSON of sluice.v1.RelayList)

export interface RelayListJson {
  countries: {
    code: string;
    name: string;
    cities: {
      code: string;
      name: string;
      latitude: number;
      longitude: number;
      relays: {
        hostname: string;
        ipv4AddrIn: string;
        ipv6AddrIn: string;
        publicKey: string;
        provider: string;
        owned: boolean;
        active: boolean;
        weight: number;
        port?: number;
        dnsServers?: string[];
      }[];
    }[];
  }[];
  wireguard: {
    portRanges: { first: number; last: number }[];
    ipv4Gateway: string;
    ipv6Gateway: string;
  };
  source: string;
}

export function relayListJson(plan: LabPlan, relayKeys: ReadonlyMap<string, KeyPair>): RelayListJson {
  const countries: RelayListJson['countries'] = [];
  for (const relay of plan.relays) {
    const { location } = relay;
    let country = countries.find((c) => c.code === location.countryCode);
    if (country === undefined) {
      country = { code: location.countryCode, name: location.countryName, cities: [] };
      countries.push(country);
    }
    let city = country.cities.find((c) => c.code === location.cityCode);
    if (city === undefined) {
      city = {
        code: location.cityCode,
        name: location.cityName,
        latitude: location.latitude,
        longitude: location.longitude,
        relays: [],
      };
      country.cities.push(city);
    }
    const key = relayKeys.get(relay.location.name);
    if (key === undefined) throw new Error(`no key for relay ${relay.location.name}`);
    city.relays.push({
      hostname: relay.hostname,
      ipv4AddrIn: relay.link.peer.v4,
      ipv6AddrIn: relay.link.peer.v6,
      publicKey: key.publicKey,
      provider: 'netlab',
      owned: true,
      active: true,
      weight: 100,
    });
  }
  const first = plan.relays[0];
  return {
    countries,
    wireguard: {
      portRanges: first === undefined ? [] : [{ ...first.portRange }],
      ipv4Gateway: plan.tunnel.gateway.v4,
      ipv6Gateway: plan.tunnel.gateway.v6,
    },
    source: `netlab ${plan.name}`,
  };
}

// ---------------------------------------------------------------------------------------------------
// DNS

export function clientResolvConf(plan: LabPlan): string {
  return [
    `# Sluice netlab ${plan.name}: the ISP's resolver`,
    `nameserver ${plan.ispResolver.v4}`,
    `nameserver ${plan.ispResolver.v6}`,
    'options timeout:1 attempts:2',
    '',
  ].join('\n');
}

export interface ZoneEntry {
  a: string[];
  aaaa: string[];
}
export type Zone = Record<string, ZoneEntry>;

/** Names every lab resolver answers (lower case, no trailing dot). */
export function labZone(plan: LabPlan): Zone {
  const zone: Zone = {
    'web.lab': { a: [plan.web.link.peer.v4], aaaa: [plan.web.link.peer.v6] },
    'isp.lab': { a: [plan.ispResolver.v4], aaaa: [plan.ispResolver.v6] },
  };
  for (const relay of plan.relays) {
    zone[`${relay.hostname}.relays.lab`] = { a: [relay.link.peer.v4], aaaa: [relay.link.peer.v6] };
  }
  return zone;
}
