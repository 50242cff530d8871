// Sluice under test: sluiced in the lab client (its socket, state and log in the lab directory, DNS through
// the static-file backend), the lab relays imported from their wg-quick files, location constraints, and
// timed Connect/Disconnect.
import { readFileSync } from 'node:fs';
import { HelperClient, pb } from '@sluice/api';
import { HELPER_MAIN, type Lab, type LabRelay, waitFor } from '@sluice/netlab';
import { waitTunnelGone } from './lab-checks.js';
import { TunnelStateWatch } from './tunnel-events.js';

export interface SluiceHelper {
  client: HelperClient;
  /** sluiced's socket (unique to this helper: it finds its process). */
  socket: string;
  interfaceName: string;
  logPath: string;
  /** SIGTERM, then wait for the exit code (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

export interface SluiceConnect {
  /** From just before the Connect RPC to the first `connected` event. */
  connectedMs: number;
  /** Date.now() just before the Connect RPC. */
  connectCalledAt: number;
  relay: string;
  mtu: number | null;
}

export const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Start sluiced in the client (netlab's lab.startHelper) and wait until it answers gRPC; `main` is the
 * workspace's build unless the shipped bundle is asked for.
 */
export async function startSluice(lab: Lab, id = 'bench', main = HELPER_MAIN): Promise<SluiceHelper> {
  const helper = await lab.startHelper({ id, main });
  const client = new HelperClient({ socketPath: helper.socket, deadlineMs: 10_000 });
  await waitFor(
    () =>
      client.diagnostics.getVersion({}).then(
        () => true,
        () => false,
      ),
    { what: 'sluiced to answer', timeoutMs: 20_000, intervalMs: 50 },
  );
  return {
    client,
    socket: helper.socket,
    interfaceName: helper.interfaceName,
    logPath: helper.logPath,
    stop: async () => {
      client.close();
      const timer = setTimeout(() => void helper.kill(), 10_000);
      try {
        return await helper.stop();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Import the relays' wg-quick files (relays and the identity, the same in every file), replacing whatever
 * list there was. The file names give the locations (se-got-wg-001.conf: country se, city got).
 */
export async function importRelays(client: HelperClient, relays: readonly LabRelay[]): Promise<void> {
  const reply = await client.relays.importRelays({
    files: relays.map((relay) => ({
      name: `${relay.hostname}.conf`,
      content: readFileSync(relay.confPath, 'utf8'),
      format: pb.ImportFile_Format.FORMAT_WG_QUICK,
    })),
    replace: true,
  });
  if (reply.relaysImported !== relays.length)
    throw new Error(`imported ${reply.relaysImported} relays, expected ${relays.length}`);
}

/** The constraints that pick `relay`'s location (its country and city), or any relay for null. */
export function locationConstraints(relay: Pick<LabRelay, 'country' | 'city'> | null): pb.RelayConstraints {
  return {
    location: relay === null ? {} : { country: relay.country, city: relay.city },
    providers: [],
    ownership: pb.Ownership.OWNERSHIP_ANY,
  };
}

/** SetRelayConstraints: `relay`'s location, or any location for null. */
export async function setRelayLocation(
  client: HelperClient,
  relay: Pick<LabRelay, 'country' | 'city'> | null,
): Promise<void> {
  await client.relays.setRelayConstraints({ constraints: locationConstraints(relay) });
}

/** Connect and time it to the first `connected` event (subscribed before the call). */
export async function connectSluice(helper: SluiceHelper): Promise<SluiceConnect> {
  const watch = await TunnelStateWatch.open(helper.client);
  try {
    const initial = watch.initialState?.state?.$case;
    if (initial !== 'disconnected') throw new Error(`Sluice is ${initial ?? 'in no state'} before Connect`);
    const connectCalledAt = Date.now();
    const started = performance.now();
    const reply = await helper.client.tunnel.connect({});
    if (!reply.stateChanged) throw new Error('Connect did not change the state');
    const connected = await watch.next('connected', ['connecting'], CONNECT_TIMEOUT_MS);
    const inner = connected.state.state;
    if (inner?.$case !== 'connected') throw new Error('not connected');
    return {
      connectedMs: connected.at - started,
      connectCalledAt,
      relay: inner.value.relay?.hostname ?? '',
      mtu: inner.value.tunnel?.mtu ?? null,
    };
  } finally {
    watch.close();
  }
}

/** Disconnect, wait for `disconnected` and for the interface and its UAPI socket to be gone. */
export async function disconnectSluice(lab: Lab, helper: SluiceHelper): Promise<number> {
  const watch = await TunnelStateWatch.open(helper.client);
  try {
    const started = performance.now();
    await helper.client.tunnel.disconnect({});
    if (watch.initialState?.state?.$case !== 'disconnected')
      await watch.next('disconnected', ['connected', 'connecting', 'disconnecting'], CONNECT_TIMEOUT_MS);
    await waitTunnelGone(lab, helper.interfaceName);
    return performance.now() - started;
  } finally {
    watch.close();
  }
}
