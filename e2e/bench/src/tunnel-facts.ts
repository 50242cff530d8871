// What a connected tunnel looks like from inside the client, to show how Sluice's and wg-quick's setups
// differ: the device (`wg show <if> dump`), its MTU, the policy rules and the nftables tables.
import { type Lab } from '@sluice/netlab';
import { clientLinkMtu } from './lab-checks.js';

export interface WgDevice {
  listenPort: number;
  /** null when off. */
  fwmark: string | null;
  peers: { endpoint: string | null; allowedIps: string[]; persistentKeepaliveSeconds: number | null }[];
}

export interface TunnelFacts {
  interfaceName: string;
  mtu: number | null;
  device: WgDevice | null;
  /** `ip -4 rule` lines, without the priority. */
  rules4: string[];
  /** `nft list tables` lines. */
  nftTables: string[];
}

/** Parse `wg show <if> dump`: the interface line, then one line per peer, tab-separated. */
export function parseWgDump(text: string): WgDevice {
  const [head, ...peerLines] = text.trim().split('\n');
  const fields = head?.split('\t') ?? [];
  if (fields.length !== 4)
    throw new Error(`wg dump: expected 4 fields on the interface line, got "${head ?? ''}"`);
  const [, , listenPort, fwmark] = fields as [string, string, string, string];
  return {
    listenPort: Number(listenPort),
    fwmark: fwmark === 'off' ? null : fwmark,
    peers: peerLines.map((line) => {
      const peer = line.split('\t');
      if (peer.length !== 8) throw new Error(`wg dump: expected 8 fields on a peer line, got "${line}"`);
      const [, , endpoint, allowedIps, , , , keepalive] = peer as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      return {
        endpoint: endpoint === '(none)' ? null : endpoint,
        allowedIps: allowedIps === '(none)' ? [] : allowedIps.split(','),
        persistentKeepaliveSeconds: keepalive === 'off' ? null : Number(keepalive),
      };
    }),
  };
}

export async function tunnelFacts(lab: Lab, interfaceName: string): Promise<TunnelFacts> {
  const inClient = async (argv: string[]): Promise<string> =>
    (await lab.exec('client', argv, { allowFailure: true })).stdout;
  const dump = await inClient(['wg', 'show', interfaceName, 'dump']);
  let device: WgDevice | null = null;
  try {
    device = parseWgDump(dump);
  } catch {
    device = null;
  }
  const lines = (text: string): string[] =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  return {
    interfaceName,
    mtu: await clientLinkMtu(lab, interfaceName),
    device,
    rules4: lines(await inClient(['ip', '-4', 'rule', 'show'])).map((l) => l.replace(/^\d+:\s*/, '')),
    nftTables: lines(await inClient(['nft', 'list', 'tables'])),
  };
}
