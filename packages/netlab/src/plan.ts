// The lab's address plan: a pure function of the lab name and the relays. Documentation ranges only.
//
//   client ==u1/c1== isp ==c.../r<i>== relay <i> (wireguard-go, NAT, DNS on the tunnel gateway)
//          ==u2/c2==     ==w/up====== web (HTTP /ip, /bytes/<n>, iperf3)
//                        lo: the ISP's DNS resolver
//
// client uplink 1   198.51.100.0/26    2001:db8:c1::/64   isp .1 / ::1, client .2 / ::2
// client uplink 2   198.51.100.64/26   2001:db8:c2::/64   isp .65 / ::1, client .66 / ::2
// web               198.51.100.128/26  2001:db8:80::/64   isp .129 / ::1, web .130 / ::2
// isp resolver      198.51.100.253     2001:db8:53::53    (on the isp's loopback)
// relay i           203.0.113.4i/30    2001:db8:100:<i+1>::/64   isp 4i+1 / ::1, relay 4i+2 / ::2
// tunnel            10.64.0.0/16       fc00:bbbb::/64     relay gateway .1 / ::1, client .2 / ::2
import { assertInterfaceName, assertLabName, assertNamespaceName, assertRelayName } from './names.js';

export interface RelayLocation {
  /** `<country>-<city>`, e.g. se-got. */
  name: string;
  countryCode: string;
  countryName: string;
  cityCode: string;
  cityName: string;
  latitude: number;
  longitude: number;
}

/** Relay locations in the order labs use them (the first three are the default lab). */
export const RELAY_LOCATIONS: readonly RelayLocation[] = [
  loc('se', 'Sweden', 'got', 'Gothenburg', 57.70887, 11.97456),
  loc('de', 'Germany', 'fra', 'Frankfurt', 50.110924, 8.682127),
  loc('us', 'USA', 'nyc', 'New York, NY', 40.73061, -73.935242),
  loc('gb', 'UK', 'lon', 'London', 51.514125, -0.093689),
  loc('nl', 'Netherlands', 'ams', 'Amsterdam', 52.35, 4.916667),
  loc('jp', 'Japan', 'tyo', 'Tokyo', 35.685, 139.751389),
  loc('au', 'Australia', 'syd', 'Sydney', -33.861481, 151.205475),
  loc('ca', 'Canada', 'tor', 'Toronto, ON', 43.666667, -79.416667),
  loc('ch', 'Switzerland', 'zrh', 'Zurich', 47.366667, 8.55),
  loc('fr', 'France', 'par', 'Paris', 48.866667, 2.333333),
  loc('sg', 'Singapore', 'sin', 'Singapore', 1.293056, 103.855833),
  loc('br', 'Brazil', 'sao', 'Sao Paulo', -23.533333, -46.616667),
];

export const MAX_RELAYS = RELAY_LOCATIONS.length;
export const DEFAULT_RELAY_COUNT = 3;

function loc(
  countryCode: string,
  countryName: string,
  cityCode: string,
  cityName: string,
  latitude: number,
  longitude: number,
): RelayLocation {
  return {
    name: `${countryCode}-${cityCode}`,
    countryCode,
    countryName,
    cityCode,
    cityName,
    latitude,
    longitude,
  };
}

/** An IPv4 and an IPv6 address of one host (no prefix length). */
export interface DualAddress {
  v4: string;
  v6: string;
}

/** One point-to-point link: the isp's end and the other end, with prefix lengths. */
export interface LinkPlan {
  ispInterface: string;
  peerInterface: string;
  isp: DualAddress;
  peer: DualAddress;
  v4Prefix: number;
  v6Prefix: number;
}

export interface RelayPlan {
  index: number;
  location: RelayLocation;
  /** e.g. se-got-wg-001 */
  hostname: string;
  namespace: string;
  link: LinkPlan;
  /** The wireguard-go interface: unique across labs, because /var/run/wireguard is shared. */
  wgInterface: string;
  /** The port wireguard-go listens on; the rest of `portRange` is redirected to it. */
  port: number;
  portRange: { first: number; last: number };
}

export interface LabPlan {
  name: string;
  namespaces: { isp: string; client: string; web: string };
  /** The client's two uplinks to the isp; the client starts on the first. */
  uplinks: readonly [LinkPlan, LinkPlan];
  web: { link: LinkPlan; httpPort: number; iperfPort: number };
  /** The isp's resolver (on its loopback), the client's DNS when not connected. */
  ispResolver: DualAddress;
  relays: readonly RelayPlan[];
  tunnel: {
    /** The relays' in-tunnel gateway and resolver (every relay uses the same, like commercial VPNs). */
    gateway: DualAddress;
    /** The client identity's tunnel addresses. */
    client: DualAddress;
    v4Net: string;
    v6Net: string;
  };
  /** Interface names the lab may use for WireGuard devices in the client namespace. */
  clientWgInterfaces: { helper: string; test: string };
}

export const WG_PORT = 51820;
export const WG_PORT_RANGE = { first: 51820, last: 51829 } as const;

export function relayLocations(count: number): RelayLocation[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_RELAYS) {
    throw new RangeError(`relay count must be 1..${MAX_RELAYS}, got ${count}`);
  }
  return RELAY_LOCATIONS.slice(0, count);
}

export function planLab(name: string, relayCount: number = DEFAULT_RELAY_COUNT): LabPlan {
  assertLabName(name);
  const locations = relayLocations(relayCount);
  const uplink = (n: 1 | 2): LinkPlan => ({
    ispInterface: `${name}-c${n}`,
    peerInterface: `${name}-u${n}`,
    isp: { v4: `198.51.100.${(n - 1) * 64 + 1}`, v6: `2001:db8:c${n}::1` },
    peer: { v4: `198.51.100.${(n - 1) * 64 + 2}`, v6: `2001:db8:c${n}::2` },
    v4Prefix: 26,
    v6Prefix: 64,
  });
  const plan: LabPlan = {
    name,
    namespaces: { isp: `${name}-isp`, client: `${name}-client`, web: `${name}-web` },
    uplinks: [uplink(1), uplink(2)],
    web: {
      link: {
        ispInterface: `${name}-w`,
        peerInterface: `${name}-up`,
        isp: { v4: '198.51.100.129', v6: '2001:db8:80::1' },
        peer: { v4: '198.51.100.130', v6: '2001:db8:80::2' },
        v4Prefix: 26,
        v6Prefix: 64,
      },
      httpPort: 80,
      iperfPort: 5201,
    },
    ispResolver: { v4: '198.51.100.253', v6: '2001:db8:53::53' },
    relays: locations.map((location, index) => ({
      index,
      location,
      hostname: `${location.name}-wg-001`,
      namespace: `${name}-${location.name}`,
      link: {
        ispInterface: `${name}-r${index}`,
        peerInterface: `${name}-up`,
        isp: { v4: `203.0.113.${4 * index + 1}`, v6: `2001:db8:100:${(index + 1).toString(16)}::1` },
        peer: { v4: `203.0.113.${4 * index + 2}`, v6: `2001:db8:100:${(index + 1).toString(16)}::2` },
        v4Prefix: 30,
        v6Prefix: 64,
      },
      wgInterface: `${name}-wg${index}`,
      port: WG_PORT,
      portRange: { ...WG_PORT_RANGE },
    })),
    tunnel: {
      gateway: { v4: '10.64.0.1', v6: 'fc00:bbbb::1' },
      client: { v4: '10.64.0.2', v6: 'fc00:bbbb::2' },
      v4Net: '10.64.0.0/16',
      v6Net: 'fc00:bbbb::/64',
    },
    clientWgInterfaces: { helper: `${name}-sl`, test: `${name}-tc` },
  };
  checkPlanNames(plan);
  return plan;
}

function checkPlanNames(plan: LabPlan): void {
  for (const ns of allNamespaces(plan)) assertNamespaceName(ns);
  const links = [...plan.uplinks, plan.web.link, ...plan.relays.map((r) => r.link)];
  for (const link of links) {
    assertInterfaceName(link.ispInterface);
    assertInterfaceName(link.peerInterface);
  }
  for (const relay of plan.relays) {
    assertRelayName(relay.location.name);
    assertInterfaceName(relay.wgInterface);
  }
  assertInterfaceName(plan.clientWgInterfaces.helper);
  assertInterfaceName(plan.clientWgInterfaces.test);
}

/** Every namespace of the lab, isp first (it creates the links into the others). */
export function allNamespaces(plan: LabPlan): string[] {
  return [
    plan.namespaces.isp,
    plan.namespaces.client,
    plan.namespaces.web,
    ...plan.relays.map((r) => r.namespace),
  ];
}

export function findRelay(plan: LabPlan, nameOrHostname: string): RelayPlan {
  const relay = plan.relays.find((r) => r.location.name === nameOrHostname || r.hostname === nameOrHostname);
  if (relay === undefined) {
    const known = plan.relays.map((r) => r.location.name).join(', ');
    throw new Error(`no relay ${JSON.stringify(nameOrHostname)} in lab ${plan.name} (relays: ${known})`);
  }
  return relay;
}

/** WireGuard interface names this lab may create; used to clean up /var/run/wireguard/<name>.sock. */
export function wireguardInterfaces(plan: LabPlan): string[] {
  return [
    ...plan.relays.map((r) => r.wgInterface),
    plan.clientWgInterfaces.helper,
    plan.clientWgInterfaces.test,
  ];
}
