// Parses a wg-quick .conf file from any provider: [Interface] is the identity, each [Peer] a relay.
import { ipFamily, quote, type Relay } from '@sluice/api/domain';
import { readFileName } from './file-name.js';
import { checkHostname, ipProblem, keyProblem, portProblem } from './fields.js';
import { ProblemList } from './import-error.js';
import type { ImportedIdentity, ImportedRelay, ParsedRelayFile } from './parsed.js';
import { interfaceAddress, parseEndpoint, splitList, type Endpoint } from './wg-quick-values.js';

export interface WgQuickOptions {
  /** Where the file's relays are; wins over the file name. Already validated by the caller. */
  location?: { country: string; city: string; hostname?: string };
  /** Provider name for the file's relays; default: the part of the file name before the location. */
  provider?: string;
}

interface Entry {
  value: string;
  line: number;
}

interface InterfaceSection {
  line: number;
  privateKey?: Entry;
  addresses: Entry[];
  dns: Entry[];
}

interface PeerSection {
  line: number;
  publicKey?: Entry;
  endpoint?: Entry;
  presharedKey?: Entry;
  allowedIps: Entry[];
}

// Keys wg-quick acts on that Sluice does not: the helper owns routing and never runs a file's commands.
const IGNORED_INTERFACE_KEYS: Readonly<Record<string, string>> = {
  table: 'Sluice does its own policy routing',
  fwmark: 'Sluice chooses its own firewall mark',
  saveconfig: 'Sluice keeps its own state',
  preup: 'Sluice never runs commands from imported files',
  postup: 'Sluice never runs commands from imported files',
  predown: 'Sluice never runs commands from imported files',
  postdown: 'Sluice never runs commands from imported files',
};

/** Far more than any provider's file (a few dozen lines, or one [Peer] per relay). */
export const MAX_WG_QUICK_LINES = 100_000;

export function parseWgQuickFile(
  fileName: string,
  text: string,
  options: WgQuickOptions = {},
): ParsedRelayFile {
  const problems = new ProblemList(fileName);
  const notes: { line: number; text: string }[] = [];
  const warn = (line: number | undefined, message: string): void => {
    notes.push({
      line: line ?? 0,
      text: `${fileName}${line === undefined ? '' : `, line ${line}`}: ${message}`,
    });
  };

  let iface: InterfaceSection | undefined;
  const peers: PeerSection[] = [];
  let current:
    { kind: 'interface'; section: InterfaceSection } | { kind: 'peer'; section: PeerSection } | undefined;

  /** A key that may appear once per section: a repeat is a problem naming the first line. */
  const once = (earlier: Entry | undefined, key: string, entry: Entry, sectionName: string): Entry => {
    if (!earlier) return entry;
    problems.atLine(
      entry.line,
      `${key} is given twice in this ${sectionName} (first on line ${earlier.line})`,
    );
    return earlier;
  };
  let sectionSeen = false;

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  if (lines.length > MAX_WG_QUICK_LINES) {
    problems.atLine(
      undefined,
      `has ${lines.length} lines; a wg-quick file has at most ${MAX_WG_QUICK_LINES}`,
    );
    problems.throwIfAny();
  }
  lines.forEach((raw, index) => {
    const line = index + 1;
    // wg(8) treats "#" as a comment anywhere on a line; base64 keys never contain it.
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') return;

    const header = /^\[\s*([^\]]*?)\s*\]$/.exec(content);
    if (header) {
      sectionSeen = true;
      const name = (header[1] ?? '').toLowerCase();
      if (name === 'interface') {
        if (iface) {
          problems.atLine(
            line,
            `a second [Interface] section (the first is on line ${iface.line}); expected one`,
          );
          current = undefined;
          return;
        }
        iface = { line, addresses: [], dns: [] };
        current = { kind: 'interface', section: iface };
      } else if (name === 'peer') {
        const peer: PeerSection = { line, allowedIps: [] };
        peers.push(peer);
        current = { kind: 'peer', section: peer };
      } else {
        problems.atLine(line, `unknown section [${header[1] ?? ''}]; expected [Interface] or [Peer]`);
        current = undefined;
      }
      return;
    }

    // The line is not echoed: it may hold a private key written without its "=".
    const equals = content.indexOf('=');
    if (equals <= 0) {
      const missing = equals === 0 ? 'has no key before "="' : 'has no "="';
      problems.atLine(
        line,
        `expected "Key = Value" or a section header such as [Peer]; this line ${missing}`,
      );
      return;
    }
    const key = content.slice(0, equals).trim();
    const value = content.slice(equals + 1).trim();
    const entry = { value, line };
    if (!current) {
      // Keys of an unknown or repeated section were reported with its header.
      if (!sectionSeen) {
        problems.atLine(
          line,
          `${quote(key)} is outside any section; expected it under [Interface] or [Peer]`,
        );
      }
      return;
    }

    const lower = key.toLowerCase();
    if (current.kind === 'interface') {
      const section = current.section;
      if (lower === 'privatekey') section.privateKey = once(section.privateKey, key, entry, '[Interface]');
      else if (lower === 'address') section.addresses.push(entry);
      else if (lower === 'dns') section.dns.push(entry);
      else if (lower === 'listenport') {
        if (portProblem(Number(value)) !== undefined || !/^\d+$/.test(value)) {
          warn(line, `ListenPort ${quote(value)} is not a port; ignored (Sluice picks its own listen port)`);
        }
      } else if (lower === 'mtu') {
        warn(
          line,
          /^\d+$/.test(value)
            ? `MTU = ${value} is not applied per relay; set it with "sluice tunnel set mtu ${value}" if you need it`
            : `MTU ${quote(value)} is not a number; ignored`,
        );
      } else if (IGNORED_INTERFACE_KEYS[lower] !== undefined) {
        warn(line, `${key} is ignored: ${IGNORED_INTERFACE_KEYS[lower]}`);
      } else {
        warn(line, `unknown [Interface] key ${quote(key)}; ignored`);
      }
    } else {
      const section = current.section;
      if (lower === 'publickey') section.publicKey = once(section.publicKey, key, entry, '[Peer]');
      else if (lower === 'endpoint') section.endpoint = once(section.endpoint, key, entry, '[Peer]');
      else if (lower === 'presharedkey')
        section.presharedKey = once(section.presharedKey, key, entry, '[Peer]');
      else if (lower === 'allowedips') section.allowedIps.push(entry);
      else if (lower === 'persistentkeepalive') return;
      else warn(line, `unknown [Peer] key ${quote(key)}; ignored`);
    }
  });

  const identity = iface ? readInterface(iface, fileName, problems, warn) : undefined;
  if (!iface) warn(undefined, 'no [Interface] section; the identity is left as it is');
  const dnsServers = identity?.dnsServers ?? [];
  if (iface && iface.dns.length === 0) {
    warn(
      iface.line,
      'no DNS line; DNS will use the relay list\'s gateway address, or set custom DNS ("sluice dns set custom <ip>")',
    );
  }

  if (peers.length === 0) {
    problems.atLine(undefined, 'no [Peer] section; expected at least one [Peer] with PublicKey and Endpoint');
  }

  const place = relayPlace(fileName, options, problems);
  const relays: ImportedRelay[] = [];
  peers.forEach((peer, index) => {
    const hostname = place ? peerHostname(place.hostname, index, peer.line, problems) : undefined;
    const relay = readPeer(peer, problems, warn);
    if (!place || !hostname || !relay) return;
    const imported: ImportedRelay = {
      country: { code: place.country },
      city: { code: place.city },
      relay: {
        hostname,
        ipv4AddrIn: relay.family === 4 ? relay.address : '',
        ipv6AddrIn: relay.family === 6 ? relay.address : '',
        publicKey: relay.publicKey,
        provider: place.provider,
        owned: false,
        active: true,
        weight: 100,
        port: relay.port,
        dnsServers: [...dnsServers],
        tunnelIpv4Only: relay.tunnelIpv4Only,
      } satisfies Relay,
      file: fileName,
      line: peer.line,
    };
    if (relay.presharedKey !== undefined) imported.presharedKey = relay.presharedKey;
    relays.push(imported);
  });

  problems.throwIfAny();
  // In file order, though some are only known after the whole file was read.
  const warnings = notes.sort((a, b) => a.line - b.line).map((n) => n.text);
  return identity ? { relays, identity, warnings } : { relays, warnings };
}

type Warn = (line: number | undefined, message: string) => void;

function readInterface(
  iface: InterfaceSection,
  fileName: string,
  problems: ProblemList,
  warn: Warn,
): ImportedIdentity | undefined {
  let privateKey: string | undefined;
  if (!iface.privateKey) {
    problems.atLine(
      iface.line,
      '[Interface] has no PrivateKey; expected "PrivateKey = <44-character base64 key>"',
    );
  } else {
    const problem = keyProblem(iface.privateKey.value, true);
    if (problem) problems.atLine(iface.privateKey.line, `PrivateKey ${problem}`);
    else privateKey = iface.privateKey.value;
  }

  const addresses: string[] = [];
  for (const entry of iface.addresses) {
    for (const item of splitList(entry.value)) {
      const parsed = interfaceAddress(item);
      if ('problem' in parsed) problems.atLine(entry.line, `Address ${parsed.problem}`);
      else if (!addresses.includes(parsed.value)) addresses.push(parsed.value);
    }
  }
  if (iface.addresses.length === 0) {
    problems.atLine(
      iface.line,
      '[Interface] has no Address; expected e.g. "Address = 10.64.0.2/32, fc00::2/128"',
    );
  }

  const dnsServers: string[] = [];
  for (const entry of iface.dns) {
    for (const item of splitList(entry.value)) {
      if (ipFamily(item) !== null) {
        const problem = ipProblem(item);
        const address = item.toLowerCase();
        if (problem) problems.atLine(entry.line, `DNS ${problem}`);
        else if (!dnsServers.includes(address)) dnsServers.push(address);
      } else if (/^[\d.]+$/.test(item) || item.includes(':')) {
        problems.atLine(entry.line, `DNS ${ipProblem(item) ?? 'is not an address'}`);
      } else {
        warn(entry.line, `DNS search domain ${quote(item)} is ignored; only resolver addresses are used`);
      }
    }
  }

  return privateKey === undefined ? undefined : { privateKey, addresses, dnsServers, file: fileName };
}

interface PeerValues {
  publicKey: string;
  address: string;
  family: 4 | 6;
  port: number;
  presharedKey?: string;
  tunnelIpv4Only: boolean;
}

function readPeer(peer: PeerSection, problems: ProblemList, warn: Warn): PeerValues | undefined {
  let ok = true;
  let publicKey = '';
  if (!peer.publicKey) {
    problems.atLine(peer.line, '[Peer] has no PublicKey; expected "PublicKey = <44-character base64 key>"');
    ok = false;
  } else {
    const problem = keyProblem(peer.publicKey.value, false);
    if (problem) {
      problems.atLine(peer.publicKey.line, `PublicKey ${problem}`);
      ok = false;
    } else publicKey = peer.publicKey.value;
  }

  let presharedKey: string | undefined;
  if (peer.presharedKey) {
    const problem = keyProblem(peer.presharedKey.value, true);
    if (problem) {
      problems.atLine(peer.presharedKey.line, `PresharedKey ${problem}`);
      ok = false;
    } else presharedKey = peer.presharedKey.value;
  }

  let endpoint: Endpoint | undefined;
  if (!peer.endpoint) {
    problems.atLine(peer.line, '[Peer] has no Endpoint; expected "Endpoint = <IP address>:<port>"');
    ok = false;
  } else {
    const parsed = parseEndpoint(peer.endpoint.value);
    if ('problem' in parsed) {
      problems.atLine(peer.endpoint.line, `Endpoint ${parsed.problem}`);
      ok = false;
    } else endpoint = parsed;
  }

  const allowed = peer.allowedIps.flatMap((e) => splitList(e.value));
  const fullTunnel = allowed.some((range) => /\/[01]$/.test(range));
  const firstAllowed = peer.allowedIps[0];
  if (firstAllowed && !fullTunnel) {
    warn(
      firstAllowed.line,
      `AllowedIPs = ${allowed.join(', ')} is ignored: Sluice sends all traffic through the tunnel ` +
        '(use bypass ranges or split tunnelling to keep some out)',
    );
  }

  if (!ok || !endpoint) return undefined;
  const values: PeerValues = {
    publicKey,
    address: endpoint.address,
    family: endpoint.family,
    port: endpoint.port,
    // Only a file that names its ranges says IPv6 stays out; Sluice otherwise carries both families.
    tunnelIpv4Only:
      allowed.length > 0 && !allowed.some((range) => range.includes(':') && /\/[01]$/.test(range)),
  };
  if (presharedKey !== undefined) values.presharedKey = presharedKey;
  return values;
}

interface RelayPlace {
  country: string;
  city: string;
  hostname: string;
  provider: string;
}

function relayPlace(
  fileName: string,
  options: WgQuickOptions,
  problems: ProblemList,
): RelayPlace | undefined {
  const fromName = readFileName(fileName);
  const location = options.location ?? fromName.location;
  if (!location) {
    const hint = fromName.countryOnly
      ? `the name gives the country "${fromName.countryOnly}" but no city`
      : 'the name gives no location';
    problems.atLine(
      undefined,
      `${hint}; name the file like se-got-wg-001.conf (<country>-<city>-…) or give the location (--country and --city)`,
    );
    return undefined;
  }
  const hostnameText = options.location?.hostname ?? fromName.hostname;
  const hostname = checkHostname(hostnameText);
  if ('problem' in hostname) {
    problems.atLine(undefined, `cannot make a relay hostname from the file name: ${hostname.problem}`);
    return undefined;
  }
  return {
    country: location.country,
    city: location.city,
    hostname: hostname.value,
    provider: options.provider ?? fromName.provider,
  };
}

/** The first peer takes the hostname; further peers of the same file get -2, -3, … */
function peerHostname(base: string, index: number, line: number, problems: ProblemList): string | undefined {
  if (index === 0) return base;
  const name = `${base}-${index + 1}`;
  const checked = checkHostname(name);
  if ('problem' in checked) {
    problems.atLine(line, `this [Peer] would be named "${name}", which ${checked.problem}`);
    return undefined;
  }
  return checked.value;
}
