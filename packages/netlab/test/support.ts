// Shared by the lab tests: who may run them, the host's network state, a hand-made WireGuard client.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ChildProcess } from 'node:child_process';
import { run } from '../src/exec.js';
import { type Lab, type LabRelay } from '../src/lab.js';
import { parseWgQuick, wgSetconfText } from '../src/config.js';
import { waitFor } from '../src/wait.js';

export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
export const BUILT = existsSync(join(import.meta.dirname, '..', 'dist', 'servers', 'launcher.js'));
export const CAN_RUN_LAB = IS_ROOT && BUILT;
export const SKIP_REASON = !IS_ROOT
  ? 'lab tests skipped: they need root (network namespaces)'
  : !BUILT
    ? 'lab tests skipped: build packages/netlab first (npx tsc -b packages/netlab)'
    : '';
if (SKIP_REASON !== '') process.stderr.write(`netlab: ${SKIP_REASON}\n`);

export const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');

/** The host's network state, as text, for before/after comparisons. */
export async function rootNetworkSnapshot(): Promise<Record<string, string>> {
  const show = async (argv: string[]): Promise<string> => (await run(argv)).stdout;
  return {
    links: await show(['ip', '-o', 'link', 'show']),
    addresses: await show(['ip', '-o', 'address', 'show']),
    rules4: await show(['ip', '-4', 'rule', 'show']),
    rules6: await show(['ip', '-6', 'rule', 'show']),
    routes4: await show(['ip', '-4', 'route', 'show', 'table', 'all']),
    routes6: await show(['ip', '-6', 'route', 'show', 'table', 'all']),
    nft: await show(['nft', 'list', 'ruleset']),
    resolvConf: readFileSync('/etc/resolv.conf', 'utf8'),
  };
}

/** Lines of the host's mount table that mention `text`. */
export function mountsMentioning(text: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.includes(text));
}

/**
 * A WireGuard client made by hand in the client namespace (wireguard-go + wg + ip, no Sluice code),
 * routing only web's addresses and the tunnel gateway through the tunnel.
 */
export class HandMadeClient {
  private constructor(
    private readonly lab: Lab,
    readonly iface: string,
    private readonly process: ChildProcess,
  ) {}

  static async start(lab: Lab): Promise<HandMadeClient> {
    const iface = lab.plan.clientWgInterfaces.test;
    const child = lab.spawn('client', ['wireguard-go', '--foreground', iface], { stdio: 'ignore' });
    await waitFor(() => existsSync(`/var/run/wireguard/${iface}.sock`), { what: `wireguard-go ${iface}` });
    const { tunnel, web } = lab.plan;
    const ip = (args: string[]) => lab.exec('client', ['ip', ...args]);
    await ip(['address', 'add', `${tunnel.client.v4}/32`, 'dev', iface]);
    await ip(['address', 'add', `${tunnel.client.v6}/128`, 'dev', iface, 'nodad']);
    await ip(['link', 'set', 'dev', iface, 'up']);
    for (const address of [web.link.peer.v4, tunnel.gateway.v4]) {
      await ip(['route', 'add', `${address}/32`, 'dev', iface]);
    }
    for (const address of [web.link.peer.v6, tunnel.gateway.v6]) {
      await ip(['-6', 'route', 'add', `${address}/128`, 'dev', iface]);
    }
    return new HandMadeClient(lab, iface, child);
  }

  /** Use a relay, from its wg-quick file (a fresh peer, so a fresh handshake). */
  async use(relay: LabRelay, options: { ipv6Endpoint?: boolean } = {}): Promise<void> {
    const conf = parseWgQuick(readFileSync(relay.confPath, 'utf8'));
    const peer = conf.peers[0];
    if (peer === undefined) throw new Error('no peer');
    if (options.ipv6Endpoint) peer.endpoint = `[${relay.address.v6}]:${relay.port}`;
    const path = join(this.lab.dir, 'etc', 'hand-made.conf'); // in the lab's directory: gone with the lab
    writeFileSync(path, wgSetconfText(conf), { mode: 0o600 });
    await this.lab.exec('client', ['wg', 'setconf', this.iface, path]);
  }

  async stop(): Promise<void> {
    this.process.kill('SIGTERM');
    await waitFor(() => !existsSync(`/var/run/wireguard/${this.iface}.sock`), {
      what: 'wireguard-go to stop',
    });
  }
}
