// The real `sluice` binary against a helper on a temporary socket: every setting round-trips, the
// documented JSON comes out, and failures map onto the documented exit codes.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HelperClient, pb } from '@sluice/api';
import { settingsFromPb } from '@sluice/api/domain';
import { RecordingRunner, resolveConfig, startDaemon, type RunningDaemon } from '@sluice/daemon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = resolve(import.meta.dirname, '../dist/main.js');

let dir: string;
let socketPath: string;
let daemon: RunningDaemon;
let client: HelperClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
  socketPath = join(dir, 'daemon.sock');
  // System calls recorded, not run, and DNS in a temporary file: this test runs in the root namespace.
  const env = { SLUICE_DNS_BACKEND: 'static', SLUICE_RESOLV_CONF: join(dir, 'resolv.conf') };
  daemon = await startDaemon(resolveConfig({ socket: socketPath, stateDir: join(dir, 'state') }, env), {
    groupFile: join(dir, 'no-group-file'),
    runner: new RecordingRunner(),
    firewall: null,
    // No cgroup filesystem: split tunnelling is unavailable, and the host's cgroups are never touched.
    mountinfo: () => Promise.resolve(''),
  });

  client = new HelperClient({ socketPath });
});

afterAll(async () => {
  client.close();
  await daemon.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sluice(args: string[], env: NodeJS.ProcessEnv = { SLUICE_SOCKET: socketPath }): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((r) => child.once('close', (code) => r({ code, stdout, stderr })));
}

async function json(args: string[]): Promise<unknown> {
  const run = await sluice(args);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as unknown;
}

async function ok(args: string[]): Promise<string> {
  const run = await sluice(args);
  expect(run.stderr, `sluice ${args.join(' ')}`).toBe('');
  expect(run.code).toBe(0);
  return run.stdout;
}

async function helperSettings() {
  return settingsFromPb((await client.settings.getSettings({})).settings ?? pb.Settings.fromPartial({}));
}

describe('every setting round-trips through the CLI', () => {
  it('lockdown-mode', async () => {
    expect(await ok(['lockdown-mode', 'set', 'on'])).toBe('Lockdown mode: on\n');
    expect(await json(['lockdown-mode', 'get', '--json'])).toEqual({ lockdownMode: true });
    expect((await helperSettings()).lockdownMode).toBe(true);
    await ok(['lockdown-mode', 'set', 'off']);
    expect(await json(['lockdown-mode', 'get', '--json'])).toEqual({ lockdownMode: false });
    expect(await ok(['lockdown-mode', 'get'])).toBe('Lockdown mode: off\n');
  });

  it('lan', async () => {
    await ok(['lan', 'set', 'allow']);
    expect(await json(['lan', 'get', '--json'])).toEqual({ allowLan: true });
    await ok(['lan', 'set', 'block']);
    expect(await json(['lan', 'get', '--json'])).toEqual({ allowLan: false });
  });

  it('auto-connect', async () => {
    await ok(['auto-connect', 'set', 'on']);
    expect(await json(['auto-connect', 'get', '--json'])).toEqual({ autoConnect: true });
    expect((await helperSettings()).autoConnect).toBe(true);
  });

  it('dns', async () => {
    await ok(['dns', 'set', 'custom', '9.9.9.9', 'fc00::53']);
    expect(await json(['dns', 'get', '--json'])).toEqual({
      mode: 'custom',
      customServers: ['9.9.9.9', 'fc00::53'],
    });
    await ok(['dns', 'set', 'default']);
    expect(await json(['dns', 'get', '--json'])).toEqual({
      mode: 'default',
      customServers: ['9.9.9.9', 'fc00::53'],
    });
    expect(await ok(['dns', 'get'])).toContain("Default DNS: the relay's resolver");
  });

  it('tunnel mtu, ipv6 and port', async () => {
    await ok(['tunnel', 'set', 'mtu', '1380']);
    await ok(['tunnel', 'set', 'ipv6', 'off']);
    await ok(['tunnel', 'set', 'port', '53']);
    expect(await json(['tunnel', 'get', '--json'])).toEqual({
      mtu: 1380,
      enableIpv6: false,
      wireguardPort: 53,
    });
    await ok(['tunnel', 'set', 'mtu', 'auto']);
    await ok(['tunnel', 'set', 'port', 'auto']);
    await ok(['tunnel', 'set', 'ipv6', 'on']);
    expect(await json(['tunnel', 'get', '--json'])).toEqual({
      mtu: null,
      enableIpv6: true,
      wireguardPort: null,
    });
    expect(await ok(['tunnel', 'get'])).toContain('MTU:            auto');
  });

  it('bypass', async () => {
    await ok(['bypass', 'add', '100.64.0.0/10']);
    await ok(['bypass', 'add', 'fd7a:115c:a1e0::/48']);
    expect(await json(['bypass', 'list', '--json'])).toEqual({
      bypassRanges: ['100.64.0.0/10', 'fd7a:115c:a1e0::/48'],
    });
    await ok(['bypass', 'remove', '100.64.0.0/10']);
    expect(await json(['bypass', 'list', '--json'])).toEqual({ bypassRanges: ['fd7a:115c:a1e0::/48'] });
    expect((await helperSettings()).bypassRanges).toEqual(['fd7a:115c:a1e0::/48']);
  });

  it('relay location', async () => {
    await ok(['relay', 'set', 'location', 'se', 'got']);
    expect(await json(['relay', 'get', '--json'])).toEqual({
      location: { country: 'se', city: 'got' },
      providers: [],
      ownership: 'any',
    });
    await ok(['relay', 'set', 'location', 'any']);
    expect(await json(['relay', 'get', '--json'])).toEqual({ location: {}, providers: [], ownership: 'any' });
    expect(await ok(['relay', 'list'])).toContain('No relays');
  });

  it('split-tunnel', async () => {
    await ok(['split-tunnel', 'set', 'on']);
    await ok(['split-tunnel', 'app', 'add', '/usr/bin/env']);
    // This helper sees no cgroup filesystem: on in settings, and it says why nothing is excluded.
    expect(await json(['split-tunnel', 'list', '--json'])).toEqual({
      enabled: true,
      mechanism: 'unavailable',
      detail: expect.stringContaining('no cgroup v2 hierarchy is mounted') as unknown,
      pids: [],
      processes: [],
      apps: ['/usr/bin/env'],
    });
    expect(await ok(['split-tunnel', 'get'])).toContain(
      'Split tunnelling: on, unavailable here: no cgroup v2',
    );
    const refused = await sluice(['split-tunnel', 'add', '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('split tunnelling is unavailable here');
    await ok(['split-tunnel', 'app', 'remove', '/usr/bin/env']);
    await ok(['split-tunnel', 'set', 'off']);
    expect(await json(['split-tunnel', 'get', '--json'])).toMatchObject({
      enabled: false,
      pids: [],
      apps: [],
    });
  });
});

describe('connect --wait', () => {
  it('returns 1 and prints the error when the attempt fails (no relays)', async () => {
    const run = await sluice(['connect', '--wait']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Error: the relay list is empty');
    expect(await json(['status', '--json'])).toMatchObject({ state: 'error', error: { cause: 'no-relay' } });
    await ok(['disconnect', '--wait']);
    expect(await json(['status', '--json'])).toEqual({ state: 'disconnected', lockedDown: false });
  });
});

describe('status', () => {
  it('--json prints the documented object', async () => {
    expect(await json(['status', '--json'])).toEqual({ state: 'disconnected', lockedDown: false });
    expect(await ok(['status'])).toBe('Disconnected\n');
  });

  it('listen --json prints one object per line until Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'status', 'listen', '--json'], {
      env: { PATH: process.env.PATH, SLUICE_SOCKET: socketPath },
    });
    let stdout = '';
    const closed = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    await new Promise<void>((r) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) r();
      }),
    );
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([{ state: 'disconnected', lockedDown: false }]);
  });
});

describe('exit codes', () => {
  it('2 for usage errors', async () => {
    for (const args of [
      ['frobnicate'],
      ['lan', 'set', 'maybe'],
      ['tunnel', 'set', 'mtu', 'big'],
      ['status', 'now'],
      ['lockdown-mode', 'set'],
    ]) {
      const run = await sluice(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).not.toBe('');
    }
    expect((await sluice(['lan', 'set', 'maybe'])).stderr).toContain(
      '"maybe" is not accepted; use allow or block',
    );
  });

  it('1 with the helper message when the helper refuses', async () => {
    const run = await sluice(['tunnel', 'set', 'mtu', '9000']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'sluice: mtu: 9000 is not accepted; use a whole number from 1280 to 1420, or "auto"\n',
    );
    const conf = join(dir, 'se-got-wg-001.conf');
    await writeFile(
      conf,
      '[Interface]\nPrivateKey = nope\nAddress = 10.64.0.2/32\n\n[Peer]\nPublicKey = x\nEndpoint = 192.0.2.10:51820\n',
    );
    const bad = await sluice(['import', conf]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('se-got-wg-001.conf, line 2: PrivateKey');
    expect(bad.stderr).toContain('Nothing was imported.');
  });

  it('3 with one line when the helper is not running', async () => {
    const missing = join(dir, 'nobody-here.sock');
    for (const args of [['status'], ['lan', 'get', '--json'], ['status', 'listen']]) {
      const run = await sluice(args, { SLUICE_SOCKET: missing });
      expect(run.code, args.join(' ')).toBe(3);
      expect(run.stderr).toBe(`sluice: the Sluice helper is not running (socket ${missing})\n`);
      expect(run.stdout).toBe('');
    }
  });

  it('--socket wins over SLUICE_SOCKET', async () => {
    const run = await sluice(['--socket', socketPath, 'status', '--json'], {
      SLUICE_SOCKET: join(dir, 'wrong.sock'),
    });
    expect(run.code).toBe(0);
  });

  it('0 for help', async () => {
    const run = await sluice(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('lockdown-mode');
  });
});
