// The kernel backend by transcript (no kernel module on the test machines): the exact ip/wg commands,
// the private key only ever through a private named pipe, `wg show dump` parsing, and backend
// selection choosing the kernel.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ValidationError } from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
import {
  CommandError,
  RecordingRunner,
  SystemRunner,
  type RunOptions,
  type RunResult,
} from '../src/net/exec.js';
import { runWithSecretPipe } from '../src/tunnel/secret-pipe.js';
import { openWireGuardDevice } from '../src/tunnel/device.js';
import {
  buildWgConfig,
  DUMP_REFRESH_MS,
  KernelDevice,
  KernelUnavailableError,
  parseProcNetDev,
  parseWgDump,
} from '../src/tunnel/kernel.js';

const PRIVATE = '8HnGwWk4dDl3S6fc4y4R+96PaoGQKxZZa8z8gTOUFEk=';
const PEER = 'VPrk3EJI/4+ELuDs/QbQo9tOJWDywe4dJLkXh1FlYzo=';
const config = {
  privateKey: PRIVATE,
  listenPort: 51820,
  fwmark: 51820,
  peer: {
    publicKey: PEER,
    endpoint: '[2001:DB8::10]:51820',
    allowedIps: ['0.0.0.0/0', '::/0'],
    persistentKeepalive: 25,
  },
};

/** `wg show <if> dump` of a configured wireguard-go device without peers (captured; fwmark is hex). */
const CAPTURED_DUMP_FRESH = `${PRIVATE}\tAggYyNFrV4QSLRcfmGo/wad0lN9q2UE1zWC+NTBnfkg=\t51820\t0xca6c\n`;
/** Captured from wireguard-integration.test.ts (SLUICE_CAPTURE_UAPI=1) after a ping through the tunnel. */
const CAPTURED_DUMP_AFTER_PING =
  'mK7TQHPda/N93ipeOqOmmPgSQluoG70XYbHCkVWdFVY=\tGqP0Xu0vPyWpLHoet4QE4R6ImAyRu1VO3QuY0p2bySk=\t51821\t0xca6c\n' +
  'r6Ka+15F89K0VBj8juVwd/RnJlM9DzQcLtdHsMcS6yQ=\t(none)\t10.99.0.2:51822\t10.98.0.2/32\t1795309034\t220\t276\toff\n';
const DUMP_WITH_PEERS =
  `${PRIVATE}\tAggYyNFrV4QSLRcfmGo/wad0lN9q2UE1zWC+NTBnfkg=\t51820\toff\n` +
  `${PEER}\t(none)\t192.0.2.10:51820\t0.0.0.0/0,::/0\t1700000000\t1200\t3400\t25\n` +
  `AggYyNFrV4QSLRcfmGo/wad0lN9q2UE1zWC+NTBnfkg=\t(none)\t(none)\t(none)\t0\t0\t0\toff\n`;

/**
 * Records commands like RecordingRunner and, for `wg setconf <if> <file>`, reads the file as wg would
 * (it is a named pipe) before answering. Also notes the pipe's mode and its directory's.
 */
class PipeReadingRunner extends RecordingRunner {
  readonly fed: string[] = [];
  readonly modes: { pipe: number; dir: number; isFifo: boolean }[] = [];
  constructor(
    answer: (argv: readonly string[]) => Partial<RunResult> | Error,
    private readonly read = true,
  ) {
    super(answer);
  }
  override async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    if (argv[0] === 'mkfifo') {
      // Make it for real (the recorded transcript still shows the command).
      await new SystemRunner().run(argv);
    }
    if (argv[0] === 'wg' && argv[1] === 'setconf' && this.read) {
      const path = argv[3] ?? '';
      const info = await stat(path);
      this.modes.push({
        pipe: info.mode & 0o777,
        dir: (await stat(dirname(path))).mode & 0o777,
        isFifo: info.isFIFO(),
      });
      this.fed.push(await readFile(path, 'utf8'));
    }
    return super.run(argv, options);
  }
}

/** Answers like a host with the kernel module where no link `name` exists yet. */
function kernelHost(): PipeReadingRunner {
  return new PipeReadingRunner((argv) => {
    if (argv.join(' ').startsWith('ip link show'))
      return { code: 1, stderr: 'Device "wgk0" does not exist.' };
    if (argv[0] === 'wg' && argv[1] === 'show') return { stdout: DUMP_WITH_PEERS };
    return {};
  });
}

describe('wg configuration text', () => {
  it('writes a full setconf configuration', () => {
    expect(buildWgConfig(config)).toBe(
      `[Interface]\nPrivateKey = ${PRIVATE}\nListenPort = 51820\nFwMark = 51820\n\n` +
        `[Peer]\nPublicKey = ${PEER}\nEndpoint = [2001:DB8::10]:51820\nAllowedIPs = 0.0.0.0/0, ::/0\nPersistentKeepalive = 25\n`,
    );
  });

  it('writes "off" for no mark and no keepalive and leaves out what is not set', () => {
    const text = buildWgConfig({
      privateKey: PRIVATE,
      fwmark: 0,
      peer: { publicKey: PEER, endpoint: '192.0.2.1:1', allowedIps: [], persistentKeepalive: 0 },
    });
    expect(text).toBe(
      `[Interface]\nPrivateKey = ${PRIVATE}\nFwMark = off\n\n[Peer]\nPublicKey = ${PEER}\nEndpoint = 192.0.2.1:1\nPersistentKeepalive = off\n`,
    );
  });
});

describe('wg show dump', () => {
  it('parses the device line (hex fwmark) of a device without peers', () => {
    expect(parseWgDump(CAPTURED_DUMP_FRESH, 0)).toEqual({
      listenPort: 51820,
      fwmark: 51820,
      rxBytes: 0,
      txBytes: 0,
      lastHandshakeAgeMs: null,
      peers: [],
    });
  });

  it('parses a device after traffic (captured)', () => {
    const stats = parseWgDump(CAPTURED_DUMP_AFTER_PING, 1795309036_000);
    expect(stats).toEqual({
      listenPort: 51821,
      fwmark: 51820,
      rxBytes: 220,
      txBytes: 276,
      lastHandshakeAgeMs: 2000,
      peers: [
        {
          publicKey: 'r6Ka+15F89K0VBj8juVwd/RnJlM9DzQcLtdHsMcS6yQ=',
          endpoint: '10.99.0.2:51822',
          allowedIps: ['10.98.0.2/32'],
          rxBytes: 220,
          txBytes: 276,
          lastHandshakeAgeMs: 2000,
        },
      ],
    });
    expect(JSON.stringify(stats)).not.toContain('mK7TQHPda');
  });

  it('parses peers, "(none)" and "off", and sums them; the private key is not kept', () => {
    const stats = parseWgDump(DUMP_WITH_PEERS, 1_700_000_002_500);
    expect(stats).toEqual({
      listenPort: 51820,
      fwmark: 0,
      rxBytes: 1200,
      txBytes: 3400,
      lastHandshakeAgeMs: 2500,
      peers: [
        {
          publicKey: PEER,
          endpoint: '192.0.2.10:51820',
          allowedIps: ['0.0.0.0/0', '::/0'],
          rxBytes: 1200,
          txBytes: 3400,
          lastHandshakeAgeMs: 2500,
        },
        {
          publicKey: 'AggYyNFrV4QSLRcfmGo/wad0lN9q2UE1zWC+NTBnfkg=',
          endpoint: null,
          allowedIps: [],
          rxBytes: 0,
          txBytes: 0,
          lastHandshakeAgeMs: null,
        },
      ],
    });
    expect(JSON.stringify(stats)).not.toContain(PRIVATE);
  });

  it('refuses output it does not understand', () => {
    expect(() => parseWgDump('', 0)).toThrow(/first line/);
    expect(() => parseWgDump(`${CAPTURED_DUMP_FRESH}a\tb\n`, 0)).toThrow(/2 fields/);
    expect(() => parseWgDump('a\tb\tport\toff\n', 0)).toThrow(/listen port/);
  });
});

/** /proc/net/dev as Linux prints it (the header and lo captured here; wgk0's line is made up). */
const procNetDev = (rx: number, tx: number): string =>
  'Inter-|   Receive                                                |  Transmit\n' +
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
  '    lo: 553597201   35869    0    0    0     0          0         0 553597201   35869    0    0    0     0       0          0\n' +
  `  wgk0: ${rx}      12    0    0    0     0          0         0 ${tx}      15    0    0    0     0       0          0\n`;

describe('/proc/net/dev', () => {
  it("reads an interface's byte counters, and nothing for one not listed", () => {
    expect(parseProcNetDev(procNetDev(1800, 2500), 'wgk0')).toEqual({ rxBytes: 1800, txBytes: 2500 });
    expect(parseProcNetDev(procNetDev(1800, 2500), 'lo')).toEqual({
      rxBytes: 553597201,
      txBytes: 553597201,
    });
    expect(parseProcNetDev(procNetDev(1, 2), 'wg')).toBeUndefined();
    expect(() => parseProcNetDev('  wgk0: 12 x\n', 'wgk0')).toThrow(/does not have its byte counters/);
  });
});

describe('KernelDevice', () => {
  it('reads counters from /proc/net/dev between dumps, which run at most every DUMP_REFRESH_MS', async () => {
    const runner = kernelHost();
    let now = 1_700_000_001_000;
    let counters = procNetDev(100, 200);
    const device = new KernelDevice(runner, 'wgk0', {
      now: () => now,
      procNetDev: () => Promise.resolve(counters),
    });
    const dumps = (): number => runner.transcript().filter((line) => line === 'wg show wgk0 dump').length;

    const first = await device.stats();
    expect(dumps()).toBe(1);
    // The interface's bytes, not the dump's (1200/3400): one source, so the totals never jump.
    expect(first).toMatchObject({ rxBytes: 100, txBytes: 200, lastHandshakeAgeMs: 1000, listenPort: 51820 });

    now += 500;
    counters = procNetDev(160, 260);
    const next = await device.stats();
    expect(dumps()).toBe(1);
    expect(next).toMatchObject({ rxBytes: 160, txBytes: 260, lastHandshakeAgeMs: 1500 });
    expect(next.peers[0]?.endpoint).toBe('192.0.2.10:51820');

    now += DUMP_REFRESH_MS;
    expect((await device.stats()).lastHandshakeAgeMs).toBe(1000 + 500 + DUMP_REFRESH_MS);
    expect(dumps()).toBe(2);

    // A new peer (configure) is not described by the dump before it.
    await device.configure(config);
    await device.stats();
    expect(dumps()).toBe(3);
  });

  it('dumps at every read until the first handshake shows', async () => {
    let handshake = '0';
    const runner = new PipeReadingRunner((argv) =>
      argv[0] === 'wg' && argv[1] === 'show'
        ? {
            stdout: DUMP_WITH_PEERS.replace(/\t1700000000\t/, `\t${handshake}\t`)
              .split('\n')
              .slice(0, 2)
              .join('\n'),
          }
        : {},
    );
    const device = new KernelDevice(runner, 'wgk0', {
      now: () => 1_700_000_001_000,
      procNetDev: () => Promise.resolve(procNetDev(1, 2)),
    });
    expect((await device.stats()).lastHandshakeAgeMs).toBeNull();
    handshake = '1700000000';
    expect((await device.stats()).lastHandshakeAgeMs).toBe(1000);
    await device.stats();
    expect(runner.transcript()).toEqual(['wg show wgk0 dump', 'wg show wgk0 dump']);
  });

  it('runs a dump for every read when /proc/net/dev does not list the link or cannot be read', async () => {
    const runner = kernelHost();
    const elsewhere = new KernelDevice(runner, 'wgk0', {
      now: () => 1_700_000_001_000,
      procNetDev: () => Promise.resolve(procNetDev(1, 2).replace('wgk0', 'wgk9')),
    });
    expect(await elsewhere.stats()).toMatchObject({ rxBytes: 1200, txBytes: 3400 });
    await elsewhere.stats();
    const unreadable = new KernelDevice(runner, 'wgk0', {
      now: () => 1_700_000_001_000,
      procNetDev: () => Promise.reject(new Error('EACCES')),
    });
    await unreadable.stats();
    expect(runner.transcript()).toEqual(['wg show wgk0 dump', 'wg show wgk0 dump', 'wg show wgk0 dump']);
  });

  it('creates, configures (key through a private pipe only), reads and deletes the link', async () => {
    const runner = kernelHost();
    const device = await KernelDevice.create(runner, 'wgk0', {
      now: () => 1_700_000_001_000,
      procNetDev: null,
    });
    await device.configure(config);
    const stats = await device.stats();
    await device.close();
    await device.close();
    const pipe = runner.calls[1]?.argv[3] ?? '';
    expect(pipe).toMatch(/\/sluice-secret-[^/]+\/input$/);
    expect(runner.transcript()).toEqual([
      'ip link add dev wgk0 type wireguard',
      `mkfifo -m 600 ${pipe}`,
      `wg setconf wgk0 ${pipe}`,
      'wg show wgk0 dump',
      'ip link delete dev wgk0',
    ]);
    for (const call of runner.calls) {
      expect(call.argv.join(' ')).not.toContain(PRIVATE);
      expect(call.input).toBeUndefined();
    }
    expect(runner.fed).toEqual([
      buildWgConfig({ ...config, peer: { ...config.peer, endpoint: '[2001:db8::10]:51820' } }),
    ]);
    expect(runner.modes).toEqual([{ pipe: 0o600, dir: 0o700, isFifo: true }]);
    expect(existsSync(dirname(pipe))).toBe(false);
    expect(stats.lastHandshakeAgeMs).toBe(1000);
    expect(device.backend).toBe('kernel');
  });

  it('validates before running anything', async () => {
    const runner = kernelHost();
    const device = new KernelDevice(runner, 'wgk0');
    await expect(
      device.configure({ ...config, peer: { ...config.peer, endpoint: 'relay:51820' } }),
    ).rejects.toThrow(ValidationError);
    expect(runner.calls).toEqual([]);
  });

  it("reports a kernel without WireGuard as KernelUnavailableError with ip's message", async () => {
    const runner = new RecordingRunner(() => ({ code: 2, stderr: 'Error: Unknown device type.\n' }));
    const error = await KernelDevice.create(runner, 'wgk0').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelUnavailableError);
    expect((error as Error).message).toMatch(/Unknown device type/);
  });

  it('treats a link someone else already removed as closed', async () => {
    const runner = new RecordingRunner(() => ({ code: 1, stderr: 'Cannot find device "wgk0"' }));
    await new KernelDevice(runner, 'wgk0').close();
    expect(runner.transcript()).toEqual(['ip link delete dev wgk0']);
  });

  it('passes wg errors on as CommandError, without waiting for a reader that never came', async () => {
    // wg fails before opening the pipe (no such device): the writer must not hang.
    const runner = new PipeReadingRunner(
      (argv) => (argv[0] === 'wg' ? { code: 1, stderr: 'Unable to modify interface: No such device' } : {}),
      false,
    );
    const error = await new KernelDevice(runner, 'wgk0').configure(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toMatch(/wg setconf wgk0 .* exited with 1: Unable to modify interface/);
    expect(runner.calls[0]?.argv[0]).toBe('mkfifo');
    expect(existsSync(dirname(runner.calls[0]?.argv[3] ?? ''))).toBe(false);
  });

  it('runWithSecretPipe feeds a real reader and cleans up', async () => {
    const result = await runWithSecretPipe(new SystemRunner(), 'secret text\n', (path) => ['cat', path]);
    expect(result.stdout).toBe('secret text\n');
  });
});

describe('backend selection with a kernel module', () => {
  it('uses the kernel when `ip link add` works', async () => {
    const runner = kernelHost();
    const device = await openWireGuardDevice({ name: 'wgk0', runner });
    expect(device.backend).toBe('kernel');
    expect(device.name).toBe('wgk0');
    expect(runner.transcript()).toEqual(['ip link show dev wgk0', 'ip link add dev wgk0 type wireguard']);
  });

  it('first removes a link of the same name left by a crashed run', async () => {
    const runner = new RecordingRunner(() => ({}));
    await openWireGuardDevice({ name: 'wgk0', runner, backend: 'kernel' });
    expect(runner.transcript()).toEqual([
      'ip link show dev wgk0',
      'ip link delete dev wgk0',
      'ip link add dev wgk0 type wireguard',
    ]);
  });

  it('fails when the kernel is demanded but missing, without trying wireguard-go', async () => {
    const runner = new RecordingRunner((argv) =>
      argv[2] === 'show' ? { code: 1 } : { code: 2, stderr: 'Error: Unknown device type.' },
    );
    await expect(openWireGuardDevice({ name: 'wgk0', runner, backend: 'kernel' })).rejects.toThrow(
      KernelUnavailableError,
    );
    expect(runner.transcript()).toEqual(['ip link show dev wgk0', 'ip link add dev wgk0 type wireguard']);
  });

  it.each(['--help', '', 'a-name-that-is-too-long', 'wg 0', 'wg/0', '..'])(
    'refuses the interface name %j before running anything',
    async (name) => {
      const runner = new RecordingRunner();
      await expect(openWireGuardDevice({ name, runner })).rejects.toThrow(ValidationError);
      expect(runner.calls).toEqual([]);
    },
  );
});
