// Every setter over a real gRPC connection: it round-trips, persists across a restart, and refuses bad
// values with INVALID_ARGUMENT naming the field and what is accepted.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ApiError, pb } from '@sluice/api';
import { settingsFromPb, type SluiceSettings } from '@sluice/api/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, startTestDaemon, until, type TestDaemon } from './support.js';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let helper: TestDaemon;

beforeAll(async () => {
  temp = await makeTempDir();
  helper = await startTestDaemon(temp.dir);
});

afterAll(async () => {
  await helper.stop();
  await temp.cleanup();
});

async function current(): Promise<SluiceSettings> {
  const { settings } = await helper.client.settings.getSettings({});
  return settingsFromPb(settings ?? pb.Settings.fromPartial({}));
}

async function refused(call: Promise<unknown>): Promise<ApiError> {
  const error = (await call.then(
    () => undefined,
    (e: unknown) => e,
  )) as ApiError | undefined;
  if (!error) throw new Error('the helper accepted a value it should refuse');
  return error;
}

async function stored(): Promise<SluiceSettings> {
  const text = await readFile(join(helper.stateDir, 'settings.json'), 'utf8');
  return (JSON.parse(text) as { settings: SluiceSettings }).settings;
}

const s = () => helper.client.settings;

describe('setters round-trip and persist', () => {
  it('lockdown mode, allow LAN, auto-connect, IPv6', async () => {
    expect((await s().setLockdownMode({ enabled: true })).settings?.lockdownMode).toBe(true);
    expect((await s().setAllowLan({ allow: true })).settings?.allowLan).toBe(true);
    expect((await s().setAutoConnect({ enabled: true })).settings?.autoConnect).toBe(true);
    expect((await s().setEnableIpv6({ enabled: false })).settings?.tunnel?.enableIpv6).toBe(false);
    expect(await stored()).toMatchObject({
      lockdownMode: true,
      allowLan: true,
      autoConnect: true,
      tunnel: { enableIpv6: false },
    });
    await s().setLockdownMode({ enabled: false });
    expect((await current()).lockdownMode).toBe(false);
    expect((await stored()).lockdownMode).toBe(false);
  });

  it('MTU: a value, then automatic', async () => {
    expect((await s().setMtu({ mtu: 1380 })).settings?.tunnel?.mtu).toBe(1380);
    expect((await stored()).tunnel.mtu).toBe(1380);
    expect((await s().setMtu({})).settings?.tunnel?.mtu).toBeUndefined();
    expect((await stored()).tunnel.mtu).toBeNull();
    await s().setMtu({ mtu: 1400 });
  });

  it('WireGuard port: a value, then automatic', async () => {
    expect((await s().setWireguardPort({ port: 53 })).settings?.tunnel?.wireguardPort).toBe(53);
    expect((await s().setWireguardPort({})).settings?.tunnel?.wireguardPort).toBeUndefined();
    await s().setWireguardPort({ port: 51820 });
  });

  it('DNS: custom servers, and back to default keeping them', async () => {
    await s().setDnsOptions({
      dns: { mode: pb.DnsOptions_Mode.MODE_CUSTOM, customServers: ['9.9.9.9', 'FC00::53', '9.9.9.9'] },
    });
    expect((await current()).dns).toEqual({ mode: 'custom', customServers: ['9.9.9.9', 'fc00::53'] });
    await s().setDnsOptions({ dns: { mode: pb.DnsOptions_Mode.MODE_DEFAULT, customServers: [] } });
    expect((await current()).dns).toEqual({ mode: 'default', customServers: ['9.9.9.9', 'fc00::53'] });
    await s().setDnsOptions({ dns: { mode: pb.DnsOptions_Mode.MODE_CUSTOM, customServers: ['192.0.2.53'] } });
  });

  it('bypass ranges: set, add, remove', async () => {
    await s().setBypassRanges({ ranges: ['100.64.0.0/10', '192.0.2.1'] });
    expect((await current()).bypassRanges).toEqual(['100.64.0.0/10', '192.0.2.1/32']);
    await s().addBypassRange({ range: 'fd7a:115c:a1e0::/48' });
    await s().addBypassRange({ range: '100.64.0.0/10' });
    expect((await current()).bypassRanges).toEqual(['100.64.0.0/10', '192.0.2.1/32', 'fd7a:115c:a1e0::/48']);
    await s().removeBypassRange({ range: '192.0.2.1/32' });
    expect((await stored()).bypassRanges).toEqual(['100.64.0.0/10', 'fd7a:115c:a1e0::/48']);
  });

  it('relay constraints', async () => {
    await helper.client.relays.setRelayConstraints({
      constraints: {
        location: { country: 'SE', city: 'got' },
        providers: ['31173'],
        ownership: pb.Ownership.OWNERSHIP_OWNED,
      },
    });
    expect((await current()).relayConstraints).toEqual({
      location: { country: 'se', city: 'got' },
      providers: ['31173'],
      ownership: 'owned',
    });
  });

  it('split-tunnel settings', async () => {
    const split = helper.client.splitTunnel;
    await split.setSplitTunnelEnabled({ enabled: true });
    await split.addSplitTunnelApp({ path: '/usr/bin/env' });
    const { state } = await split.getSplitTunnelState({});
    expect(state).toMatchObject({ enabled: true, apps: ['/usr/bin/env'], pids: [] });
    expect((await stored()).splitTunnel).toEqual({ enabled: true, apps: ['/usr/bin/env'] });
    // A rule for a program that is not installed would never match: refused, naming the path.
    const error = await refused(split.addSplitTunnelApp({ path: '/usr/bin/no-such-browser' }));
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toContain('"/usr/bin/no-such-browser" is not an installed program (no such file)');
  });

  it('everything survives a helper restart', async () => {
    const before = await current();
    await helper.stop();
    helper = await startTestDaemon(temp.dir);
    expect(await current()).toEqual(before);
    expect(before).toMatchObject({
      tunnel: { mtu: 1400, wireguardPort: 51820, enableIpv6: false },
      dns: { mode: 'custom', customServers: ['192.0.2.53'] },
    });
  });
});

describe('setters refuse bad values, name the field and say what is accepted', () => {
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['MTU too large', () => s().setMtu({ mtu: 9000 }), /^mtu: 9000 .*1280 to 1420/],
    ['MTU too small', () => s().setMtu({ mtu: 576 }), /^mtu: 576 .*1280 to 1420/],
    ['port 0', () => s().setWireguardPort({ port: 0 }), /^port: 0 .*1 to 65535/],
    ['port too large', () => s().setWireguardPort({ port: 70000 }), /^port: 70000 .*1 to 65535/],
    [
      'DNS mode missing',
      () => s().setDnsOptions({ dns: { mode: pb.DnsOptions_Mode.MODE_UNSPECIFIED, customServers: [] } }),
      /^dns\.mode: .*MODE_DEFAULT or MODE_CUSTOM/,
    ],
    [
      'DNS server not an address',
      () =>
        s().setDnsOptions({
          dns: { mode: pb.DnsOptions_Mode.MODE_CUSTOM, customServers: ['1.1.1.1', 'dns.google'] },
        }),
      /^dns\.custom_servers\[1\]: "dns\.google" is not an IPv4 or IPv6 address/,
    ],
    [
      'custom DNS without servers',
      () => s().setDnsOptions({ dns: { mode: pb.DnsOptions_Mode.MODE_CUSTOM, customServers: [] } }),
      /^dns\.custom_servers: custom DNS needs at least one server/,
    ],
    [
      'bypass not a CIDR',
      () => s().setBypassRanges({ ranges: ['10.0.0.0/8', 'lan'] }),
      /^ranges\[1\]: "lan" is not a CIDR range/,
    ],
    [
      'bypass host bits',
      () => s().addBypassRange({ range: '100.64.0.1/10' }),
      /^range: .*host bits.*100\.64\.0\.0\/10/,
    ],
    [
      'bypass of everything',
      () => s().addBypassRange({ range: '0.0.0.0/0' }),
      /^range: "0\.0\.0\.0\/0" is every address: nothing would go through the tunnel; .*disconnect instead/,
    ],
    [
      'bypass of all IPv6',
      () => s().setBypassRanges({ ranges: ['::/0'] }),
      /^ranges\[0\]: "::\/0" is every address/,
    ],
    [
      'DNS server 0.0.0.0',
      () => s().setDnsOptions({ dns: { mode: pb.DnsOptions_Mode.MODE_CUSTOM, customServers: ['0.0.0.0'] } }),
      /^dns\.custom_servers\[0\]: "0\.0\.0\.0" is the unspecified address/,
    ],
    [
      'a huge list of DNS servers, refused by its count',
      () =>
        s().setDnsOptions({
          dns: {
            mode: pb.DnsOptions_Mode.MODE_CUSTOM,
            customServers: Array.from({ length: 270_000 }, () => 'x'),
          },
        }),
      /^dns\.custom_servers: 270000 given; at most 8 are accepted/,
    ],
    [
      'a provider name with an escape sequence',
      () =>
        helper.client.relays.setRelayConstraints({
          constraints: { location: {}, providers: ['evil\u001b[2J'], ownership: pb.Ownership.OWNERSHIP_ANY },
        }),
      /^constraints\.providers\[0\]: "evil\\u001b\[2J" is not accepted/,
    ],
    [
      'too many bypass ranges',
      () => s().setBypassRanges({ ranges: Array.from({ length: 65 }, (_, i) => `10.${i}.0.0/16`) }),
      /^ranges: 65 given; at most 64 are accepted/,
    ],
    [
      'country code',
      () =>
        helper.client.relays.setRelayConstraints({
          constraints: {
            location: { country: 'sweden' },
            providers: [],
            ownership: pb.Ownership.OWNERSHIP_ANY,
          },
        }),
      /^location\.country: "sweden" is not a location code/,
    ],
    [
      'city without country',
      () =>
        helper.client.relays.setRelayConstraints({
          constraints: { location: { city: 'got' }, providers: [], ownership: pb.Ownership.OWNERSHIP_ANY },
        }),
      /^location\.city: a city needs its country/,
    ],
    [
      'unknown ownership',
      () =>
        helper.client.relays.setRelayConstraints({
          constraints: { location: {}, providers: [], ownership: pb.Ownership.UNRECOGNIZED },
        }),
      /^constraints\.ownership: give OWNERSHIP_ANY/,
    ],
    [
      'relative app path',
      () => helper.client.splitTunnel.addSplitTunnelApp({ path: 'firefox' }),
      /^path: "firefox" .*absolute path/,
    ],
    [
      'log lines',
      () => helper.client.diagnostics.getLogs({ maxLines: 100_000 }),
      /^max_lines: .*at most 5000/,
    ],
  ];

  it.each(cases)('%s', async (_name, call, message) => {
    const before = await readFile(join(helper.stateDir, 'settings.json'), 'utf8');
    const error = await refused(call());
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toMatch(message);
    // A refused value changes nothing on disk.
    expect(await readFile(join(helper.stateDir, 'settings.json'), 'utf8')).toBe(before);
  });

  it('removing an absent bypass range is NOT_FOUND and lists what there is', async () => {
    const error = await refused(s().removeBypassRange({ range: '198.51.100.0/24' }));
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('198.51.100.0/24 is not a bypass range');
  });

  it('excluding a process while split tunnelling is off says how to turn it on', async () => {
    await helper.client.splitTunnel.setSplitTunnelEnabled({ enabled: false });
    const error = await refused(helper.client.splitTunnel.addSplitTunnelProcess({ pid: 0 }));
    expect(error.kind, error.message).toBe('failed-precondition');
    expect(error.message).toContain('split tunnelling is off; turn it on with `sluice split-tunnel set on`');
  });

  it('the leak self-test says plainly when there is no firewall', async () => {
    const result = await helper.client.diagnostics.runLeakTest({ whatIsMyIpUrl: 'http://127.0.0.1:9/ip' });
    expect(result.passed).toBe(false);
    expect(result.checks.find((c) => c.name === 'firewall')).toMatchObject({
      passed: false,
      detail: expect.stringContaining('no firewall') as unknown,
    });
    const bad = await refused(helper.client.diagnostics.runLeakTest({ whatIsMyIpUrl: 'file:///etc/passwd' }));
    expect(bad.message).toMatch(/^what_is_my_ip_url: .*http\(s\) URL/);
  });

  it('connecting with an empty relay list ends in an error that says what to do', async () => {
    expect((await helper.client.tunnel.connect({})).stateChanged).toBe(true);
    await until(
      async () => (await helper.client.tunnel.getTunnelState({})).state?.state?.$case === 'error',
      'the error state',
    );
    const { state } = await helper.client.tunnel.getTunnelState({});
    expect(state?.state?.$case === 'error' && state.state.value).toMatchObject({
      cause: pb.ErrorState_Cause.CAUSE_NO_RELAY,
      message: expect.stringContaining('import relays first') as unknown,
    });
    await helper.client.tunnel.disconnect({});
    await until(
      async () => (await helper.client.tunnel.getTunnelState({})).state?.state?.$case === 'disconnected',
      'disconnected',
    );
  });

  it('the device identity exists from the first start; only its public half is shown', async () => {
    const { identity } = await helper.client.identity.getIdentity({});
    expect(identity?.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(identity?.origin).toBe(pb.Identity_Origin.ORIGIN_GENERATED);
    const error = await refused(helper.client.identity.setAddresses({ addresses: ['not-an-address'] }));
    expect(error.kind).toBe('invalid-argument');
  });

  it('an import with no files is refused', async () => {
    const error = await refused(helper.client.relays.importRelays({ files: [], replace: false }));
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toContain('no files given');
  });

  it('GetVersion and GetLogs answer from the real helper', async () => {
    expect((await helper.client.diagnostics.getVersion({})).daemonVersion).toMatch(/^\d+\.\d+\.\d+$/);
    const { lines } = await helper.client.diagnostics.getLogs({ maxLines: 5 });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(lines.some((line) => line.includes('request refused'))).toBe(true);
  });
});
