// Real wireguard-go, as root, in two network namespaces this test makes (joined by a veth pair created
// inside them, never in the root namespace): the supervisor starts both devices, UAPI configures them as
// peers, a ping crosses the tunnel, stats show traffic and a handshake, a SIGKILLed wireguard-go is
// restarted and re-configured, `wg setconf`/`wg show dump` (the kernel backend's tools) work on the same
// device, and everything is removed on every path.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../src/identity/keys.js';
import { SystemRunner, type RunOptions, type RunResult, type Runner } from '../src/net/exec.js';
import { openWireGuardDevice, type DeviceEvent, type WireGuardDevice } from '../src/tunnel/device.js';
import { KernelDevice } from '../src/tunnel/kernel.js';
import { SpawnLauncher } from '../src/tunnel/process.js';
import { GET_REQUEST, parseGetReply, UapiClient, UapiError, uapiSocketPath } from '../src/tunnel/uapi.js';
import { WireGuardGoDevice } from '../src/tunnel/wireguard-go.js';
import { until } from './support.js';

const isRoot = process.getuid?.() === 0;
const hasWireGuardGo = (() => {
  try {
    // --version only prints; any other argument would be taken as an interface name.
    execFileSync('wireguard-go', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = !isRoot || !hasWireGuardGo;
if (skip) {
  console.warn(
    `wireguard-integration: skipped (${!isRoot ? 'needs root for network namespaces' : 'wireguard-go is not installed'})`,
  );
}

/** Runs every command inside network namespace `ns`. */
class NamespaceRunner implements Runner {
  private readonly system = new SystemRunner();
  constructor(readonly ns: string) {}
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    return this.system.run(['ip', 'netns', 'exec', this.ns, ...argv], options);
  }
}

const tag = randomBytes(2).toString('hex');
const side = {
  a: {
    ns: `slwg-${tag}a`,
    ifname: `slwg${tag}a`,
    veth: 'veth-a',
    underlay: '10.99.0.1',
    tunnel: '10.98.0.1',
    port: 51821,
  },
  b: {
    ns: `slwg-${tag}b`,
    ifname: `slwg${tag}b`,
    veth: 'veth-b',
    underlay: '10.99.0.2',
    tunnel: '10.98.0.2',
    port: 51822,
  },
};
const extraIf = `slwg${tag}c`;
const keys = { a: generateKeyPair(), b: generateKeyPair() };
const root = new SystemRunner();
const runners = { a: new NamespaceRunner(side.a.ns), b: new NamespaceRunner(side.b.ns) };
const devices: WireGuardDevice[] = [];
const eventsA: DeviceEvent[] = [];

function open(which: 'a' | 'b', ifname = side[which].ifname): Promise<WireGuardDevice> {
  const ns = side[which].ns;
  return openWireGuardDevice({
    name: ifname,
    runner: runners[which],
    launcher: new SpawnLauncher((argv) => ['ip', 'netns', 'exec', ns, ...argv]),
    startTimeoutMs: 5_000,
    stopTimeoutMs: 2_000,
    restartDelayMs: () => 50,
  }).then((device) => {
    devices.push(device);
    return device;
  });
}

function configFor(which: 'a' | 'b'): Parameters<WireGuardDevice['configure']>[0] {
  const other = which === 'a' ? 'b' : 'a';
  return {
    privateKey: keys[which].privateKey,
    listenPort: side[which].port,
    fwmark: 51820,
    peer: {
      publicKey: keys[other].publicKey,
      endpoint: `${side[other].underlay}:${side[other].port}`,
      allowedIps: [`${side[other].tunnel}/32`],
    },
  };
}

/** What the routing code does after a device (re)appears: address and up, inside the namespace. */
async function addressAndUp(which: 'a' | 'b'): Promise<void> {
  const { ns, ifname, tunnel } = side[which];
  await root.run(['ip', '-n', ns, 'address', 'add', `${tunnel}/24`, 'dev', ifname]);
  await root.run(['ip', '-n', ns, 'link', 'set', ifname, 'up']);
}

async function pingThroughTunnel(): Promise<void> {
  await until(
    async () =>
      (await runners.a.run(['ping', '-c', '1', '-W', '1', side.b.tunnel], { okCodes: [1, 2] })).code === 0,
    'a ping through the tunnel',
    10_000,
  );
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function teardown(): Promise<void> {
  for (const device of devices.splice(0)) await device.close().catch(() => undefined);
  for (const { ns } of Object.values(side)) {
    // Anything still running in our namespaces was started by this test.
    const pids = await root.run(['ip', 'netns', 'pids', ns], { okCodes: [1, 255] }).catch(() => undefined);
    for (const pid of (pids?.stdout ?? '').split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await root.run(['ip', 'netns', 'delete', ns], { okCodes: [1, 255] }).catch(() => undefined);
  }
  for (const ifname of [side.a.ifname, side.b.ifname, extraIf]) {
    const path = uapiSocketPath(ifname);
    if (existsSync(path)) await root.run(['rm', '-f', path]);
  }
}

describe.skipIf(skip)('wireguard-go in two network namespaces (root only)', () => {
  beforeAll(async () => {
    try {
      for (const { ns } of Object.values(side)) {
        await root.run(['ip', 'netns', 'add', ns]);
        await root.run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      }
      // Created inside namespace a with its peer end placed straight into b: the root namespace never
      // holds either end.
      await root.run([
        'ip',
        '-n',
        side.a.ns,
        'link',
        'add',
        side.a.veth,
        'type',
        'veth',
        'peer',
        'name',
        side.b.veth,
        'netns',
        side.b.ns,
      ]);
      for (const s of Object.values(side)) {
        await root.run(['ip', '-n', s.ns, 'address', 'add', `${s.underlay}/24`, 'dev', s.veth]);
        await root.run(['ip', '-n', s.ns, 'link', 'set', s.veth, 'up']);
      }
    } catch (error) {
      await teardown();
      throw error;
    }
  });
  afterAll(teardown);

  let deviceA: WireGuardDevice;
  let deviceB: WireGuardDevice;

  it('falls back from the kernel to wireguard-go, configures both over UAPI and pings through', async () => {
    deviceA = await open('a');
    deviceB = await open('b');
    expect(deviceA.backend).toBe('wireguard-go');
    expect(deviceA.name).toBe(side.a.ifname);
    deviceA.onEvent((event) => eventsA.push(event));
    await deviceA.configure(configFor('a'));
    await deviceB.configure(configFor('b'));
    await addressAndUp('a');
    await addressAndUp('b');
    await pingThroughTunnel();

    const stats = await deviceA.stats();
    expect(stats.listenPort).toBe(side.a.port);
    expect(stats.fwmark).toBe(51820);
    expect(stats.rxBytes).toBeGreaterThan(0);
    expect(stats.txBytes).toBeGreaterThan(0);
    expect(stats.lastHandshakeAgeMs).not.toBeNull();
    expect(stats.lastHandshakeAgeMs).toBeLessThan(15_000);
    expect(stats.peers).toEqual([
      expect.objectContaining({
        publicKey: keys.b.publicKey,
        endpoint: `${side.b.underlay}:${side.b.port}`,
        allowedIps: [`${side.b.tunnel}/32`],
      }),
    ]);

    // The raw exchange, parsed by the same code (and printed for refreshing the fixtures).
    const raw = await new UapiClient(uapiSocketPath(side.a.ifname)).exchange(GET_REQUEST);
    if (process.env.SLUICE_CAPTURE_UAPI) console.log(JSON.stringify(raw));
    expect(raw).toMatch(/^private_key=[0-9a-f]{64}\nlisten_port=51821\nfwmark=51820\npublic_key=/);
    expect(raw.endsWith('errno=0\n\n')).toBe(true);
    expect(parseGetReply(raw).peers[0]?.publicKey).toBe(keys.b.publicKey);
  });

  it('reports real errno replies: EINVAL for a bad value, EADDRINUSE for a taken port', async () => {
    const client = new UapiClient(uapiSocketPath(side.a.ifname), { device: side.a.ifname });
    const invalid = await client.exchange('set=1\nlisten_port=abc\n\n');
    expect(invalid).toBe('errno=-22\n\n');
    await expect(
      client.set({ peers: [{ publicKey: keys.a.publicKey, endpoint: 'nonsense' }] }),
    ).rejects.toMatchObject({
      code: 'EINVAL',
    });
    // A second device in namespace a cannot listen on a's port.
    const extra = await open('a', extraIf);
    const error = await extra
      .configure({ ...configFor('a'), listenPort: side.a.port })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UapiError);
    expect(error).toMatchObject({ code: 'EADDRINUSE', errno: 98 });
    await extra.close();
    expect(existsSync(uapiSocketPath(extraIf))).toBe(false);
  });

  it('drives the same device with `wg setconf` through a named pipe and `wg show dump` (the kernel backend path)', async () => {
    // The link is in side a's namespace: its /proc/net/dev is that of a process in there.
    const procNetDev = async (): Promise<string> => {
      const [pid] = (await root.run(['ip', 'netns', 'pids', side.a.ns])).stdout.split('\n');
      return readFile(`/proc/${pid ?? 'none'}/net/dev`, 'utf8');
    };
    const viaWg = new KernelDevice(runners.a, side.a.ifname, { procNetDev });
    await viaWg.configure(configFor('a'));
    await pingThroughTunnel();
    const rxOf = (text: string): number => {
      const listed = text.split('\n').find((l) => l.trim().startsWith(`${side.a.ifname}:`));
      return Number(listed?.split(':')[1]?.trim().split(/\s+/)[0]);
    };
    const before = rxOf(await procNetDev());
    const stats = await viaWg.stats();
    // The interface's own bytes, as /proc/net/dev has them (wg's count the wire, more than these).
    expect(stats.rxBytes).toBeGreaterThanOrEqual(before);
    expect(stats.rxBytes).toBeLessThanOrEqual(rxOf(await procNetDev()));
    if (process.env.SLUICE_CAPTURE_UAPI) {
      console.log(JSON.stringify((await runners.a.run(['wg', 'show', side.a.ifname, 'dump'])).stdout));
    }
    expect(stats.fwmark).toBe(51820);
    expect(stats.listenPort).toBe(side.a.port);
    expect(stats.peers[0]).toMatchObject({
      publicKey: keys.b.publicKey,
      endpoint: `${side.b.underlay}:${side.b.port}`,
      allowedIps: [`${side.b.tunnel}/32`],
    });
    expect(stats.rxBytes).toBeGreaterThan(0);
    expect(stats.lastHandshakeAgeMs).not.toBeNull();
  });

  it('restarts a SIGKILLed wireguard-go, re-applies its configuration and says so', async () => {
    if (!(deviceA instanceof WireGuardGoDevice)) throw new Error('expected the wireguard-go backend');
    const oldPid = deviceA.supervisor.pid;
    expect(alive(oldPid)).toBe(true);
    process.kill(oldPid ?? -1, 'SIGKILL');
    await until(() => eventsA.some((e) => e.type === 'restored'), 'the device to be restored', 10_000);
    expect(eventsA).toEqual([
      { type: 'lost', reason: 'wireguard-go killed by SIGKILL' },
      { type: 'restored', reconfigured: true },
    ]);
    expect(deviceA.supervisor.pid).not.toBe(oldPid);
    expect(alive(deviceA.supervisor.pid)).toBe(true);
    // The interface is new: the key and peer came back with the restart, the address is for us to add.
    const stats = await deviceA.stats();
    expect(stats.listenPort).toBe(side.a.port);
    expect(stats.peers[0]?.publicKey).toBe(keys.b.publicKey);
    await addressAndUp('a');
    await pingThroughTunnel();
  });

  it('stops cleanly: processes, sockets and interfaces are gone', async () => {
    const pids = [deviceA, deviceB].map((d) =>
      d instanceof WireGuardGoDevice ? d.supervisor.pid : undefined,
    );
    await deviceA.close();
    await deviceB.close();
    for (const pid of pids) expect(alive(pid)).toBe(false);
    for (const which of ['a', 'b'] as const) {
      expect(existsSync(uapiSocketPath(side[which].ifname))).toBe(false);
      const link = await runners[which].run(['ip', 'link', 'show', 'dev', side[which].ifname], {
        okCodes: [1],
      });
      expect(link.code).toBe(1);
    }
    expect(eventsA.map((e) => e.type)).toEqual(['lost', 'restored']);
  });
});
