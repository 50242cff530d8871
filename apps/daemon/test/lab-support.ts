// The real helper inside a lab's client namespace (the only place a helper with real system calls may
// run), with a client on its socket and the lab's relays one call away.
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HelperClient, pb } from '@sluice/api';
import type { Lab } from '@sluice/netlab';
import { until } from './support.js';

const HELPER_MAIN = resolve(import.meta.dirname, '../dist/main.js');

export const isRoot = process.getuid?.() === 0;

export interface LabHelper {
  client: HelperClient;
  process: ChildProcess;
  socket: string;
  stateDir: string;
  interfaceName: string;
  logPath: string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

let serial = 0;

/** Start sluiced in the lab's client. Reuses `stateDir` when given (a restart). */
export async function startLabHelper(
  lab: Lab,
  options: { stateDir?: string; env?: Record<string, string> } = {},
): Promise<LabHelper> {
  const id = `h${serial++}`;
  const stateDir = options.stateDir ?? join(lab.dir, `helper-${id}`);
  const socket = join(lab.dir, `${id}.sock`);
  const interfaceName = `${lab.name}-${id}`.slice(0, 15);
  const logPath = join(lab.dir, `${id}.log`);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const log = openSync(logPath, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = lab.spawnInClient(
      [
        process.execPath,
        HELPER_MAIN,
        '--socket',
        socket,
        '--state-dir',
        stateDir,
        '--interface',
        interfaceName,
      ],
      {
        env: { SLUICE_DNS_BACKEND: 'static', SLUICE_LOG_LEVEL: 'debug', ...options.env },
        stdio: ['ignore', log, log],
      },
    );
  } finally {
    closeSync(log);
  }
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const client = new HelperClient({ socketPath: socket, deadlineMs: 10_000 });
  await until(
    async () => {
      if (child.exitCode !== null)
        throw new Error(
          `sluiced exited with ${child.exitCode}: ${readFileSync(logPath, 'utf8').slice(-2000)}`,
        );
      return client.diagnostics.getVersion({}).then(
        () => true,
        () => false,
      );
    },
    'the helper to answer',
    20_000,
  );
  return {
    client,
    process: child,
    socket,
    stateDir,
    interfaceName,
    logPath,
    stop: async () => {
      client.close();
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      client.close();
      // SIGKILL cannot be forwarded by the lab's launcher: kill every process of this helper (the
      // launcher and sluiced itself, found by their unique socket argument), as a crash would.
      for (const pid of processesWithArgument(socket)) process.kill(pid, 'SIGKILL');
      await exited;
      await until(() => processesWithArgument(socket).length === 0, 'the helper to be gone');
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

/** Pids whose command line contains `argument` as a whole argument. */
export function processesWithArgument(argument: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(argument)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
