// The engine's orchestration without root: the real engine, attempt, sessions and Firewall on a
// stateful fake of ip, nft, WireGuard devices, relays and pings (test/fake-os), on a virtual clock.
// Named scenarios first, then thousands of seeded random sequences of requests and faults with the
// invariants checked at every step.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineOnFakeOs, INTERFACE, TUNNEL_TABLE } from './fake-os/index.js';
import { seeded } from './support.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Advance the virtual clock in small steps until `done` holds; throws after `maxMs`. */
async function until(done: () => boolean, what: string, maxMs = 30_000): Promise<number> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > maxMs) throw new Error(`not ${what} within ${maxMs} virtual ms`);
    await vi.advanceTimersByTimeAsync(20);
  }
  return Date.now() - start;
}

const kind = (h: EngineOnFakeOs): string => h.engine.state.kind;

async function connected(h: EngineOnFakeOs): Promise<void> {
  await until(() => kind(h) === 'connected' && h.published.at(-1)?.state.kind === 'connected', 'connected');
}

function expectClean(h: EngineOnFakeOs): void {
  expect(h.os.violations).toEqual([]);
  expect(h.publicationProblems()).toEqual([]);
}

describe('tunnel engine on a fake OS', () => {
  it('connects in a handful of processes: policy, device and link MTU together, then verified', async () => {
    const h = new EngineOnFakeOs(1);
    // As at start-up: the idle policy is in force (no table) before the first connect.
    await h.engine.settled();
    h.os.runner.calls.length = 0;
    const before = h.os.snapshot();
    h.engine.connect();
    await connected(h);
    expect(h.os.ip.routesIn(TUNNEL_TABLE)).toEqual(
      expect.arrayContaining([`0.0.0.0/0 dev ${INTERFACE}`, `::/0 dev ${INTERFACE}`]),
    );
    expect(h.os.nft.kind).toBe('connected');
    expect(h.os.dns.applied).toEqual({ interfaceName: INTERFACE, servers: ['10.64.0.1', 'fc00:bbbb::1'] });
    expect(h.published.map((p) => p.state.kind)).toEqual(['disconnected', 'connecting', 'connected']);
    // Every process of a connect: two policies, one MTU look-up, link and rules (two batches run
    // together), the default routes.
    expect(h.os.runner.transcript().filter((c) => !c.startsWith('nft --version'))).toEqual([
      'ip -j -batch -',
      'nft -e -a -f -',
      'ip -batch -',
      'ip -6 -batch -',
      'nft -e -a -f -',
      'ip -batch -',
    ]);
    // Neither policy deletes anything (a deletion makes the kernel wait): the connecting policy
    // creates the table, the connected one only adds rules to it.
    const [connectingPolicy = '', connectedPolicy = ''] = h.os.runner.calls
      .filter((c) => c.argv.join(' ') === 'nft -e -a -f -')
      .map((c) => c.input ?? '');
    expect(connectingPolicy).toMatch(/^create table inet sluice$/m);
    expect(connectingPolicy).not.toMatch(/delete/);
    expect(connectedPolicy).toMatch(/^(add|insert) rule /m);
    expect(connectedPolicy).not.toMatch(/delete|flush|chain /);

    h.engine.disconnect();
    await until(
      () => kind(h) === 'disconnected' && h.published.at(-1)?.state.kind === 'disconnected',
      'disconnected',
    );
    await h.engine.settled();
    expect(h.os.snapshot()).toEqual(before);
    expectClean(h);
  });

  it('back-to-back Connect, Reconnect, Disconnect (fast clicks in the tray) ends disconnected, system as before', async () => {
    const h = new EngineOnFakeOs(2);
    const before = h.os.snapshot();
    h.engine.connect();
    h.engine.reconnect();
    h.engine.disconnect();
    await until(() => kind(h) === 'disconnected', 'disconnected', 5_000);
    await until(() => h.published.at(-1)?.state.kind === 'disconnected', 'published', 5_000);
    expect(h.os.snapshot()).toEqual(before);
    // And it still works afterwards.
    h.engine.connect();
    await connected(h);
    const stopped = h.engine.shutdown(false);
    let done = false;
    void stopped.then(() => (done = true));
    expect(await until(() => done, 'stopped', 5_000)).toBeLessThanOrEqual(5_000);
    expect(h.os.snapshot()).toEqual(before);
    expectClean(h);
  });

  it('the same clicks while connected, and while the relay does not answer', async () => {
    const h = new EngineOnFakeOs(2);
    h.engine.connect();
    await connected(h);
    h.engine.connect();
    h.engine.reconnect();
    h.engine.disconnect();
    h.engine.connect();
    await connected(h);
    for (const relay of h.os.network.relays.values()) relay.alive = false;
    h.engine.reconnect();
    await vi.advanceTimersByTimeAsync(1_500);
    h.engine.disconnect();
    await until(() => kind(h) === 'disconnected', 'disconnected', 10_000);
    expectClean(h);
  });

  it('replaces a dead relay within 5 s, and leaves a healthy idle tunnel alone for 10 minutes', async () => {
    const h = new EngineOnFakeOs(2);
    h.engine.connect();
    await connected(h);
    const reconnects = (): number => h.published.filter((p) => p.state.kind === 'disconnecting').length;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(reconnects()).toBe(0);
    expect(kind(h)).toBe('connected');

    const first = h.deviceEndpoint();
    const dead = [...h.os.network.relays.values()].find((r) => r.endpoint === first);
    if (!dead) throw new Error('no relay');
    dead.alive = false;
    const took = await until(
      () => kind(h) === 'connected' && h.deviceEndpoint() !== undefined && h.deviceEndpoint() !== first,
      'connected through another relay',
    );
    expect(took).toBeLessThanOrEqual(5_000);
    expectClean(h);
  });

  it('a network change reconnects; a restarted device is set up again; a failed one is an error that says why', async () => {
    const h = new EngineOnFakeOs(2);
    h.engine.connect();
    await connected(h);
    h.networkChanged();
    await until(() => h.published.some((p) => p.reason === 'the network changed'), 'the change noticed');
    await connected(h);

    const [device] = h.os.network.devices;
    device?.restart();
    const seen = h.published.length;
    await until(
      () => h.published.slice(seen).some((p) => p.reason.includes('WireGuard device')),
      'the restart noticed',
    );
    await connected(h);
    expect(h.os.ip.links.get(INTERFACE)?.up).toBe(true);

    const [again] = h.os.network.devices;
    again?.fail();
    await until(() => kind(h) === 'error', 'the error state');
    expect(h.engine.state).toMatchObject({ cause: 'tunnel-setup', blocking: true });
    expect(h.engine.state.kind === 'error' && h.engine.state.message).toContain('failed');
    await until(() => h.os.nft.kind === 'blocked', 'blocked');
    expect(h.os.network.devices.size).toBe(0);
    expectClean(h);
  });

  it('fits a narrow path: IPv4-only tunnels lower the MTU below 1280, with IPv6 TCP is clamped', async () => {
    const h = new EngineOnFakeOs(1);
    h.os.network.pathMtu = 1136;
    h.engine.connect();
    await connected(h);
    await until(() => h.published.some((p) => p.reason.includes('path MTU')), 'the path fitted', 20_000);
    expect(h.os.ip.links.get(INTERFACE)?.mtu).toBe(1280);
    const rules = h.os.nft.ruleTexts().join('\n');
    expect(rules).toMatch(/maxseg size set 1096/);
    expect(rules).toMatch(/maxseg size set 1076/);

    const v4 = new EngineOnFakeOs(1);
    v4.identity.addresses = ['10.64.0.2/32'];
    v4.os.network.pathMtu = 1136;
    v4.engine.connect();
    await connected(v4);
    await until(() => v4.published.some((p) => p.reason.includes('path MTU')), 'the path fitted', 20_000);
    expect(v4.os.ip.links.get(INTERFACE)?.mtu).toBe(1136);
    expectClean(h);
    expectClean(v4);
  });

  it('firewall settings re-apply the policy in place; tunnel settings reconnect', async () => {
    const h = new EngineOnFakeOs(2);
    h.engine.connect();
    await connected(h);
    const [device] = h.os.network.devices;
    h.setSettings((s) => ({ ...s, allowLan: true }));
    await until(() => h.published.at(-1)?.reason === 'firewall settings changed', 'the new policy');
    expect([...h.os.network.devices][0]).toBe(device);
    const rules = h.os.nft.ruleTexts().join('\n');
    expect(rules).toContain('lan-out-4');
    expect(h.engine.bypassInForce).toEqual([]);
    h.setSettings((s) => ({ ...s, bypassRanges: ['100.64.0.0/10'] }));
    await until(() => h.os.nft.ruleTexts().join('\n').includes('bypass-out-4'), 'the bypass rule');
    // What status reports as in force is what the firewall holds.
    expect(h.engine.bypassInForce).toEqual(['100.64.0.0/10']);

    const [other] = h.relayHostnames().filter((name) => !h.published.at(-1)?.reason.includes(name));
    const target = h.relayHostnames().find((name) => {
      const state = h.engine.state;
      return state.kind === 'connected' && state.relay.hostname !== name;
    });
    expect(other ?? target).toBeDefined();
    const location = h.locationOf(target ?? '');
    h.setSettings((s) => ({ ...s, relayConstraints: { ...s.relayConstraints, location } }));
    await until(() => {
      const state = h.engine.state;
      return state.kind === 'connected' && state.relay.hostname === target;
    }, 'connected to the new location');
    expectClean(h);

    h.engine.disconnect();
    await until(() => kind(h) === 'disconnected', 'disconnected');
    h.setSettings((s) => ({ ...s, lockdownMode: true }));
    await until(() => h.os.nft.kind === 'blocked' && h.engine.lockedDown, 'lockdown');
    expect(h.published.at(-1)?.state.kind).toBe('disconnected');
    expect(h.engine.bypassInForce).toEqual(['100.64.0.0/10']);
    h.setSettings((s) => ({ ...s, lockdownMode: false }));
    await until(() => h.os.nft.kind === 'none', 'no table');
    expect(h.engine.bypassInForce).toEqual([]);
    expectClean(h);
  });

  it('a firewall that cannot be set is an error that blocks nothing it cannot block', async () => {
    const h = new EngineOnFakeOs(1);
    h.os.nft.failNext = true;
    h.engine.connect();
    await until(() => kind(h) === 'error', 'the error state');
    expect(h.engine.state).toMatchObject({ cause: 'firewall' });
    h.engine.connect();
    await connected(h);
    expectClean(h);
  });

  it('carries IPv6 when the identity has it, whatever family the resolvers are', async () => {
    const h = new EngineOnFakeOs(1);
    h.setSettings((s) => ({ ...s, dns: { mode: 'custom', customServers: ['10.64.0.1'] } }));
    h.engine.connect();
    await connected(h);
    expect(h.os.ip.routesIn(TUNNEL_TABLE)).toContain(`::/0 dev ${INTERFACE}`);
    expect(h.os.ip.links.get(INTERFACE)?.addresses.has('fc00:bbbb::2/128')).toBe(true);
    h.setSettings((s) => ({ ...s, tunnel: { ...s.tunnel, enableIpv6: false } }));
    await until(
      () => kind(h) === 'connected' && !h.os.ip.routesIn(TUNNEL_TABLE).includes(`::/0 dev ${INTERFACE}`),
      'IPv6 off',
    );
    expectClean(h);
  });

  it('stops within 5 s from any state, blocking afterwards when asked to', async () => {
    for (const setup of ['connected', 'connecting', 'retrying'] as const) {
      const h = new EngineOnFakeOs(1);
      if (setup === 'retrying') for (const relay of h.os.network.relays.values()) relay.alive = false;
      h.engine.connect();
      if (setup === 'connected') await connected(h);
      else await vi.advanceTimersByTimeAsync(setup === 'retrying' ? 6_000 : 1);
      let done = false;
      void h.engine.shutdown(true).then(() => (done = true));
      h.stopping = true;
      expect(await until(() => done, `stopped (${setup})`, 5_000)).toBeLessThanOrEqual(5_000);
      expect(h.os.nft.kind).toBe('blocked');
      expect(h.os.network.devices.size).toBe(0);
      expect(h.os.ip.rules[4]).toEqual([]);
      expectClean(h);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Random sequences

type Action = [name: string, run: (h: EngineOnFakeOs, random: () => number) => void];

const pick = <T>(items: readonly T[], random: () => number): T =>
  items[Math.floor(random() * items.length)] as T;

const ACTIONS: readonly Action[] = [
  ['connect', (h) => h.engine.connect()],
  ['connect', (h) => h.engine.connect()],
  ['disconnect', (h) => h.engine.disconnect()],
  ['reconnect', (h) => h.engine.reconnect()],
  [
    'relay change',
    (h, r) => {
      const location = r() < 0.3 ? {} : h.locationOf(pick(h.relayHostnames(), r));
      h.setSettings((s) => ({ ...s, relayConstraints: { ...s.relayConstraints, location } }));
    },
  ],
  ['lockdown', (h) => h.setSettings((s) => ({ ...s, lockdownMode: !s.lockdownMode }))],
  ['allow LAN', (h) => h.setSettings((s) => ({ ...s, allowLan: !s.allowLan }))],
  [
    'mtu',
    (h, r) =>
      h.setSettings((s) => ({
        ...s,
        tunnel: { ...s.tunnel, mtu: r() < 0.5 ? null : 1280 + Math.floor(r() * 141) },
      })),
  ],
  ['relay dies', (h, r) => void (pick([...h.os.network.relays.values()], r).alive = false)],
  ['relays revive', (h) => [...h.os.network.relays.values()].forEach((relay) => (relay.alive = true))],
  ['device restarts', (h) => [...h.os.network.devices][0]?.restart()],
  ['device fails', (h, r) => r() < 0.3 && [...h.os.network.devices][0]?.fail()],
  ['network change', (h) => h.networkChanged()],
  ['nft fails once', (h, r) => r() < 0.3 && (h.os.nft.failNext = true)],
  [
    'device open fails once',
    (h) => (h.os.network.failNextOpen = 'wireguard-go: cannot create the interface'),
  ],
  ['narrow path', (h, r) => (h.os.network.pathMtu = pick([1420, 1300, 1136], r))],
];

async function randomSequence(seed: number): Promise<void> {
  const random = seeded(seed);
  const h = new EngineOnFakeOs(1 + Math.floor(random() * 3), seeded(seed ^ 0x5eed));
  const initial = h.os.ip.snapshot();
  const log: string[] = [];
  const fail = (what: string): never => {
    throw new Error(`seed ${seed}: ${what}\nsteps: ${log.join(', ')}`);
  };
  try {
    const steps = 4 + Math.floor(random() * 12);
    for (let i = 0; i < steps; i++) {
      const [name, run] = pick(ACTIONS, random);
      log.push(name);
      run(h, random);
      const wait = pick([0, 0, 1, 5, 30, 200, 800, 2_500], random);
      await vi.advanceTimersByTimeAsync(wait);
      if (h.os.violations.length > 0) fail(h.os.violations.join('; '));
    }
    // Heal every fault; the last request decides where it must end.
    for (const relay of h.os.network.relays.values()) relay.alive = true;
    h.os.network.pathMtu = 1420;
    h.os.nft.failNext = false;
    h.os.network.failNextOpen = undefined;
    const last = random() < 0.5 ? 'connect' : 'disconnect';
    log.push(`finally ${last}`);
    if (last === 'connect') h.engine.connect();
    else h.engine.disconnect();
    const want = last === 'connect' ? 'connected' : 'disconnected';
    await until(
      () => kind(h) === want && h.published.at(-1)?.state.kind === want,
      `${want} after the last request (state ${kind(h)})`,
      60_000,
    ).catch((error: unknown) =>
      fail(
        `${String(error)}; published: ${h.published
          .slice(-4)
          .map((p) => `${p.state.kind} (${p.reason})`)
          .join(' > ')}`,
      ),
    );
    if (want === 'disconnected') {
      await h.engine.settled();
      if (JSON.stringify(h.os.ip.snapshot()) !== JSON.stringify(initial)) fail('the system is not as before');
      if (h.os.network.devices.size > 0 || h.os.dns.applied) fail('a device or DNS is left');
      if (h.os.nft.kind !== (h.settings.lockdownMode ? 'blocked' : 'none'))
        fail(`policy ${h.os.nft.kind} at rest`);
    }
    const keep = random() < 0.5;
    let stopped = false;
    h.stopping = keep;
    const startedStop = Date.now();
    void h.engine.shutdown(keep).then(() => (stopped = true));
    await until(() => stopped, 'stopped', 5_000).catch((error: unknown) => fail(String(error)));
    if (Date.now() - startedStop > 5_000) fail('shutdown took more than 5 s');
    if (h.os.network.devices.size > 0) fail('a device survived shutdown');
    const atRest = keep || h.settings.lockdownMode ? 'blocked' : 'none';
    if (h.os.nft.kind !== atRest) fail(`policy ${h.os.nft.kind} after shutdown, expected ${atRest}`);
    const problems = [...h.os.violations, ...h.publicationProblems()];
    if (problems.length > 0) fail(problems.join('; '));
  } finally {
    await h.engine.shutdown(false).catch(() => undefined);
  }
}

describe('tunnel engine, random sequences (seeded)', () => {
  const runs = Number(process.env.SLUICE_ENGINE_SEQUENCES ?? 2000);
  it(`${runs} sequences of requests and faults end where the last request points, every invariant held`, async () => {
    const base = Number(process.env.SLUICE_ENGINE_SEED ?? 1);
    for (let i = 0; i < runs; i++) await randomSequence(base + i);
  }, 600_000);
});
