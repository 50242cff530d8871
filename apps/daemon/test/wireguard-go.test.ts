// The wireguard-go supervisor and device against a scripted fake wireguard-go (a Unix socket in a temp
// directory that speaks UAPI): waiting for the socket, early exits with output, stop with SIGTERM then
// SIGKILL, restart after a crash with the configuration re-applied, giving up, leftovers of a crashed
// run, and backend selection falling back to wireguard-go. No process or network is touched.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingRunner } from '../src/net/exec.js';
import { openWireGuardDevice, type DeviceEvent } from '../src/tunnel/device.js';
import type { LaunchedProcess, LaunchOptions, ProcessExit, ProcessLauncher } from '../src/tunnel/process.js';
import { uapiSocketPath } from '../src/tunnel/uapi.js';
import {
  WireGuardGoDevice,
  WireGuardGoStartError,
  WireGuardGoSupervisor,
  type SupervisorEvent,
  type WireGuardGoOptions,
} from '../src/tunnel/wireguard-go.js';
import { makeTempDir, until } from './support.js';

const NAME = 'wgfake0';
const PRIVATE = '8HnGwWk4dDl3S6fc4y4R+96PaoGQKxZZa8z8gTOUFEk=';
const PRIVATE_HEX = 'f079c6c169387439774ba7dce32e11fbde8f6a81902b16596bccfc8133941449';
const PEER = 'VPrk3EJI/4+ELuDs/QbQo9tOJWDywe4dJLkXh1FlYzo=';
const PEER_HEX = '54fae4dc4248ff8f842ee0ecfd06d0a3db4e2560f2c1ee1d24b917875165633a';

type Behaviour = 'normal' | 'exit-at-once' | 'never-ready' | 'ignore-sigterm';

/** Leave a socket file nobody listens on, as a SIGKILLed wireguard-go does. */
function makeStaleSocket(path: string): void {
  spawnSync(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
}

/** Pretends to be wireguard-go: serves UAPI on <dir>/<if>.sock until killed. */
class FakeWireGuardGo implements ProcessLauncher {
  readonly launches: { argv: string[]; env: Record<string, string> | undefined }[] = [];
  readonly requests: string[] = [];
  readonly live: FakeProcess[] = [];
  /** Behaviour of the next launches, first entry first; the last one repeats. */
  behaviours: Behaviour[] = ['normal'];
  getReply = 'listen_port=40000\nerrno=0\n\n';
  setReply = 'errno=0\n\n';
  private nextPid = 1000;

  constructor(private readonly dir: string) {}

  launch(argv: readonly string[], options: LaunchOptions = {}): LaunchedProcess {
    this.launches.push({ argv: [...argv], env: options.env });
    const behaviour = (this.behaviours.length > 1 ? this.behaviours.shift() : this.behaviours[0]) ?? 'normal';
    const proc = new FakeProcess(
      this,
      this.nextPid++,
      uapiSocketPath(argv[2] ?? '', this.dir),
      behaviour,
      options,
    );
    this.live.push(proc);
    return proc;
  }

  get current(): FakeProcess | undefined {
    return this.live.findLast((p) => !p.done);
  }
}

class FakeProcess implements LaunchedProcess {
  readonly exited: Promise<ProcessExit>;
  done = false;
  private resolveExit!: (exit: ProcessExit) => void;
  private server: Server | undefined;

  constructor(
    private readonly fake: FakeWireGuardGo,
    readonly pid: number,
    private readonly socketPath: string,
    private readonly behaviour: Behaviour,
    options: LaunchOptions,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    options.onOutput?.('┌──────────────────────┐');
    options.onOutput?.('│   Running wireguard-go is not required');
    if (behaviour === 'exit-at-once') {
      options.onOutput?.(`ERROR: (${NAME}) Failed to create TUN device: operation not permitted`);
      setImmediate(() => this.finish({ code: 1, signal: null }));
      return;
    }
    if (behaviour === 'never-ready') return;
    this.server = createServer((socket) => {
      let request = '';
      socket.setEncoding('utf8');
      socket.on('error', () => undefined);
      socket.on('data', (chunk: string) => {
        request += chunk;
        if (!request.endsWith('\n\n')) return;
        this.fake.requests.push(request);
        socket.end(request === 'get=1\n\n' ? this.fake.getReply : this.fake.setReply);
      });
    });
    this.server.listen(socketPath);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.done) return;
    if (signal === 'SIGTERM' && this.behaviour === 'ignore-sigterm') return;
    if (signal === 'SIGKILL') {
      // A killed wireguard-go leaves its socket file behind.
      this.server?.close();
      this.server = undefined;
      makeStaleSocket(this.socketPath);
    }
    this.finish({ code: null, signal });
  }

  /** Die unexpectedly, like a crash. */
  crash(): void {
    this.kill('SIGKILL');
  }

  private finish(exit: ProcessExit): void {
    this.done = true;
    if (this.server) this.server.close(() => this.resolveExit(exit));
    else this.resolveExit(exit);
  }
}

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let fake: FakeWireGuardGo;
let runner: RecordingRunner;
let linkPresent: boolean;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  temp = await makeTempDir();
  fake = new FakeWireGuardGo(temp.dir);
  linkPresent = false;
  runner = new RecordingRunner((argv) => {
    const command = argv.join(' ');
    if (command.startsWith('ip link show')) return linkPresent ? {} : { code: 1 };
    if (command.startsWith('ip link delete')) linkPresent = false;
    if (command.startsWith('ip link add')) return { code: 2, stderr: 'Error: Unknown device type.' };
    return {};
  });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  for (const proc of fake.live) proc.kill('SIGKILL');
  await temp.cleanup();
});

function options(overrides: Partial<WireGuardGoOptions> = {}): WireGuardGoOptions {
  return {
    name: NAME,
    runner,
    launcher: fake,
    socketDir: temp.dir,
    startTimeoutMs: 1_000,
    stopTimeoutMs: 200,
    restartDelayMs: () => 0,
    ...overrides,
  };
}

function supervisor(overrides: Partial<WireGuardGoOptions> = {}): WireGuardGoSupervisor {
  const sup = new WireGuardGoSupervisor(options(overrides));
  cleanups.push(() => sup.stop());
  return sup;
}

const socket = (): string => uapiSocketPath(NAME, temp.dir);

describe('WireGuardGoSupervisor', () => {
  it('starts `wireguard-go -f <if>` and returns once UAPI answers', async () => {
    const sup = supervisor();
    await sup.start();
    expect(fake.launches).toEqual([{ argv: ['wireguard-go', '-f', NAME], env: { LOG_LEVEL: 'error' } }]);
    expect(fake.requests).toEqual(['get=1\n\n']);
    expect(sup.running).toBe(true);
    expect(sup.pid).toBe(1000);
    // No socket of the name, so nothing to clear first: no `ip` process on the way to a tunnel.
    expect(runner.transcript()).toEqual([]);
  });

  it('fails early with what wireguard-go printed (banner left out) when it exits while starting', async () => {
    fake.behaviours = ['exit-at-once'];
    const error = await supervisor()
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WireGuardGoStartError);
    expect((error as Error).message).toBe(
      `wireguard-go for ${NAME} exited with code 1 while starting; it printed:\n` +
        `ERROR: (${NAME}) Failed to create TUN device: operation not permitted`,
    );
  });

  it('gives up at the deadline when the socket never answers, and kills the process', async () => {
    fake.behaviours = ['never-ready'];
    const started = Date.now();
    const error = await supervisor({ startTimeoutMs: 150 })
      .start()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WireGuardGoStartError);
    expect((error as Error).message).toMatch(/timed out after 150 ms waiting for wireguard-go's UAPI socket/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.live[0]?.done).toBe(true);
  });

  it('stops with SIGTERM; the socket is gone', async () => {
    const sup = supervisor();
    await sup.start();
    await sup.stop();
    expect(await fake.live[0]?.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(existsSync(socket())).toBe(false);
    expect(sup.running).toBe(false);
  });

  it('escalates to SIGKILL when SIGTERM is ignored, and removes the dead socket', async () => {
    fake.behaviours = ['ignore-sigterm'];
    const sup = supervisor({ stopTimeoutMs: 100 });
    await sup.start();
    await sup.stop();
    expect(await fake.live[0]?.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(existsSync(socket())).toBe(false);
  });

  it('reports an unexpected exit and restarts', async () => {
    const sup = supervisor();
    const events: SupervisorEvent[] = [];
    sup.onEvent((event) => events.push(event));
    await sup.start();
    fake.live[0]?.crash();
    await until(() => events.some((e) => e.type === 'restarted'), 'the restart');
    expect(events).toEqual([
      {
        type: 'exited',
        pid: 1000,
        exit: { code: null, signal: 'SIGKILL' },
        output: [],
      },
      { type: 'restarted', pid: 1001, restarts: 1 },
    ]);
    expect(sup.pid).toBe(1001);
    expect(fake.launches).toHaveLength(2);
  });

  it('gives up after too many exits in the window', async () => {
    const sup = supervisor({ restartLimit: { count: 2, windowMs: 60_000 } });
    const events: SupervisorEvent[] = [];
    sup.onEvent((event) => events.push(event));
    await sup.start();
    fake.behaviours = ['exit-at-once'];
    fake.live[0]?.crash();
    await until(() => events.some((e) => e.type === 'failed'), 'giving up');
    expect(events.map((e) => e.type)).toEqual(['exited', 'failed']);
    expect(fake.launches).toHaveLength(3);
    expect(sup.running).toBe(false);
  });

  it('removes a stale socket left by a crashed run before starting', async () => {
    makeStaleSocket(socket());
    expect(existsSync(socket())).toBe(true);
    await supervisor().start();
    expect(fake.requests).toEqual(['get=1\n\n']);
  });

  it('deletes a link of the same name left by a crashed run (wireguard-go fails on it) and starts again', async () => {
    linkPresent = true;
    fake.behaviours = ['exit-at-once', 'normal'];
    const sup = supervisor();
    await sup.start();
    expect(runner.transcript()).toEqual([`ip link show dev ${NAME}`, `ip link delete dev ${NAME}`]);
    expect(fake.launches).toHaveLength(2);
    expect(sup.running).toBe(true);
  });

  it('refuses to start when the socket answers but there is no such link here (another namespace)', async () => {
    const other = createServer((s) => {
      s.on('error', () => undefined);
      s.end('errno=0\n\n');
    });
    await new Promise<void>((resolve) => other.listen(socket(), resolve));
    cleanups.push(() => new Promise((resolve) => other.close(() => resolve())));
    const error = await supervisor()
      .start()
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/already running elsewhere.*another network namespace/s);
    expect(fake.launches).toEqual([]);
  });

  it('refuses an interface name wireguard-go would misread', () => {
    expect(() => new WireGuardGoSupervisor(options({ name: '--help' }))).toThrow(/not starting with "-"/);
  });
});

describe('WireGuardGoDevice', () => {
  const config = {
    privateKey: PRIVATE,
    fwmark: 51820,
    peer: {
      publicKey: PEER,
      endpoint: '192.0.2.1:51820',
      allowedIps: ['0.0.0.0/0'],
      persistentKeepalive: 25,
    },
  };
  const expectedSet =
    `set=1\nprivate_key=${PRIVATE_HEX}\nfwmark=51820\nreplace_peers=true\npublic_key=${PEER_HEX}\n` +
    'endpoint=192.0.2.1:51820\npersistent_keepalive_interval=25\nreplace_allowed_ips=true\nallowed_ip=0.0.0.0/0\n\n';

  async function open(overrides: Partial<WireGuardGoOptions> = {}): Promise<WireGuardGoDevice> {
    const device = await WireGuardGoDevice.open(options(overrides));
    cleanups.push(() => device.close());
    return device;
  }

  it('configures over UAPI, replacing all peers', async () => {
    const device = await open();
    await device.configure(config);
    expect(fake.requests.slice(1)).toEqual([expectedSet]);
    expect(device.backend).toBe('wireguard-go');
  });

  it('refuses a bad configuration before sending anything', async () => {
    const device = await open();
    await expect(
      device.configure({ ...config, peer: { ...config.peer, allowedIps: ['nope'] } }),
    ).rejects.toThrow(/peer\.allowedIps\[0\]/);
    expect(fake.requests).toHaveLength(1);
  });

  it('surfaces errno replies with their meaning', async () => {
    const device = await open();
    fake.setReply = 'errno=-98\n\n';
    await expect(device.configure({ ...config, listenPort: 51820 })).rejects.toThrow(
      `WireGuard set on ${NAME} failed with EADDRINUSE: the listen port is already in use`,
    );
  });

  it('reads stats with handshake age from sec+nsec', async () => {
    const device = await open({ now: () => 1_700_000_003_250 });
    fake.getReply =
      `listen_port=51820\nfwmark=51820\npublic_key=${PEER_HEX}\nendpoint=192.0.2.1:51820\n` +
      'last_handshake_time_sec=1700000001\nlast_handshake_time_nsec=500000000\ntx_bytes=300\nrx_bytes=200\n' +
      'allowed_ip=0.0.0.0/0\nerrno=0\n\n';
    expect(await device.stats()).toEqual({
      listenPort: 51820,
      fwmark: 51820,
      rxBytes: 200,
      txBytes: 300,
      lastHandshakeAgeMs: 1750,
      peers: [
        {
          publicKey: PEER,
          endpoint: '192.0.2.1:51820',
          allowedIps: ['0.0.0.0/0'],
          rxBytes: 200,
          txBytes: 300,
          lastHandshakeAgeMs: 1750,
        },
      ],
    });
  });

  it('after a crash, restarts wireguard-go, re-applies the configuration and says so', async () => {
    const device = await open();
    const events: DeviceEvent[] = [];
    device.onEvent((event) => events.push(event));
    await device.configure(config);
    fake.live[0]?.crash();
    await until(() => events.length >= 2, 'the device to be restored');
    expect(events).toEqual([
      { type: 'lost', reason: 'wireguard-go killed by SIGKILL' },
      { type: 'restored', reconfigured: true },
    ]);
    expect(fake.requests.filter((r) => r.startsWith('set=1'))).toEqual([expectedSet, expectedSet]);
  });

  it('says when the configuration could not be re-applied, and when it gives up', async () => {
    const device = await open({ restartLimit: { count: 1, windowMs: 60_000 } });
    const events: DeviceEvent[] = [];
    device.onEvent((event) => events.push(event));
    await device.configure(config);
    fake.setReply = 'errno=-22\n\n';
    fake.current?.crash();
    await until(() => events.length >= 2, 'the restore');
    expect(events[1]).toMatchObject({
      type: 'restored',
      reconfigured: false,
      reason: expect.stringMatching(/EINVAL/) as unknown,
    });
    fake.current?.crash();
    await until(() => events.length >= 4, 'giving up');
    expect(events.slice(2).map((e) => e.type)).toEqual(['lost', 'failed']);
  });

  it('closes once, and emits nothing after close', async () => {
    const device = await open();
    const events: DeviceEvent[] = [];
    device.onEvent((event) => events.push(event));
    await device.close();
    await device.close();
    expect(fake.live.map((p) => p.done)).toEqual([true]);
    expect(fake.launches).toHaveLength(1);
    expect(events).toEqual([]);
  });
});

describe('backend selection without a kernel module', () => {
  it('falls back to wireguard-go when `ip link add … type wireguard` fails, and logs why', async () => {
    const logged: string[] = [];
    const log = {
      debug: () => undefined,
      info: (fields: object, message: string) => logged.push(`${message} ${JSON.stringify(fields)}`),
      warn: () => undefined,
    };
    const device = await openWireGuardDevice({ ...options(), log });
    cleanups.push(() => device.close());
    expect(device.backend).toBe('wireguard-go');
    expect(runner.transcript()).toEqual([
      `ip link show dev ${NAME}`,
      `ip link add dev ${NAME} type wireguard`,
    ]);
    expect(logged[0]).toMatch(/kernel WireGuard unavailable; using wireguard-go .*Unknown device type/);
  });

  it('goes straight to wireguard-go when told to', async () => {
    const device = await openWireGuardDevice({ ...options(), backend: 'wireguard-go' });
    cleanups.push(() => device.close());
    expect(runner.transcript()).toEqual([]);
  });
});

describe('the socket path', () => {
  it('is /var/run/wireguard/<if>.sock unless told otherwise', () => {
    expect(uapiSocketPath('wg-sluice')).toBe('/var/run/wireguard/wg-sluice.sock');
    expect(uapiSocketPath('x', join('/tmp', 'd'))).toBe('/tmp/d/x.sock');
  });
});
