// The real helper inside a lab's client namespace (the only place a helper with real system calls may
// run), with a client on its socket and the lab's relays one call away.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HelperClient, pb } from '@sluice/api';
import type { Lab, LabHelper as NetlabHelper } from '@sluice/netlab';
import { until } from './support.js';

const HELPER_MAIN = resolve(import.meta.dirname, '../dist/main.js');

export const isRoot = process.getuid?.() === 0;

export interface LabHelper extends NetlabHelper {
  client: HelperClient;
}

let serial = 0;

/** Start sluiced in the lab's client (netlab's lab.startHelper) with a client on its socket. */
export async function startLabHelper(
  lab: Lab,
  options: { id?: string; stateDir?: string; env?: Record<string, string> } = {},
): Promise<LabHelper> {
  const helper = await lab.startHelper({ id: `h${serial++}`, main: HELPER_MAIN, ...options });
  const client = new HelperClient({ socketPath: helper.socket, deadlineMs: 10_000 });
  await until(
    () =>
      client.diagnostics.getVersion({}).then(
        () => true,
        () => false,
      ),
    'the helper to answer',
  );
  return {
    ...helper,
    client,
    stop: () => {
      client.close();
      return helper.stop();
    },
    kill: () => {
      client.close();
      return helper.kill();
    },
  };
}

export async function importLabRelays(lab: Lab, client: HelperClient): Promise<pb.ImportRelaysResponse> {
  const files = lab.relays.map((relay) => ({
    name: `${relay.hostname}.conf`,
    content: readFileSync(relay.confPath, 'utf8'),
    format: pb.ImportFile_Format.FORMAT_WG_QUICK,
  }));

  return client.relays.importRelays({ files, replace: true });
}

export async function tunnelState(client: HelperClient): Promise<pb.TunnelState | undefined> {
  return (await client.tunnel.getTunnelState({})).state;
}

/** Wait for the tunnel to reach `kind`; with `relay`, connected to that relay. */
export async function waitForState(
  client: HelperClient,
  kind: string,
  timeoutMs = 20_000,
  relay?: string,
): Promise<pb.TunnelState> {
  let last: pb.TunnelState | undefined;
  try {
    await until(
      async () => {
        last = await tunnelState(client);
        if (last?.state?.$case !== kind) return false;
        return (
          relay === undefined ||
          (last.state.$case === 'connected' && last.state.value.relay?.hostname === relay)
        );
      },
      `the tunnel to be ${kind}${relay ? ` via ${relay}` : ''}`,
      timeoutMs,
    );
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}; last state: ${JSON.stringify(last)}`,
    );
  }
  return last as pb.TunnelState;
}

export function connectedRelay(state: pb.TunnelState | undefined): string | undefined {
  return state?.state?.$case === 'connected' ? state.state.value.relay?.hostname : undefined;
}

/** The client namespace's routing state and resolv.conf, to compare before and after a tunnel. */
export async function clientNetworkState(lab: Lab): Promise<Record<string, string>> {
  const ip = async (...argv: string[]) => (await lab.exec('client', ['ip', ...argv])).stdout;
  return {
    rules4: await ip('-4', 'rule', 'show'),
    rules6: await ip('-6', 'rule', 'show'),
    routes4: await ip('-4', 'route', 'show', 'table', 'all'),
    routes6: (await ip('-6', 'route', 'show', 'table', 'all')).replace(/ expires \d+sec/g, ''),
    // The lab flips its spare uplink up and down, which changes its qdisc: not ours to compare.
    links: (await ip('-o', 'link', 'show')).replace(/\\.*$/gm, '').replace(/ qdisc \S+/g, ''),
    addresses: (await ip('-o', 'address', 'show')).replace(/valid_lft \S+ preferred_lft \S+/g, ''),
    resolvConf: readFileSync(lab.resolvConfPath, 'utf8'),
    firewall: (await lab.exec('client', ['nft', 'list', 'ruleset'])).stdout,
  };
}

/** Reconnect and wait until the connected tunnel's MTU satisfies `fits` (path-MTU discovery ran). */
export async function reconnectUntilMtu(
  client: HelperClient,
  fits: (mtu: number) => boolean,
  timeoutMs = 30_000,
): Promise<number> {
  await client.tunnel.reconnect({});
  let mtu: number | undefined;
  await until(
    async () => {
      const state = await tunnelState(client);
      mtu = state?.state?.$case === 'connected' ? state.state.value.tunnel?.mtu : undefined;
      return mtu !== undefined && fits(mtu);
    },
    'the tunnel fitted to the path',
    timeoutMs,
  );
  return mtu ?? 0;
}
