// The Firewall against the real nft, as root, inside scratch network namespaces made here and always
// deleted: the root namespace of this machine never gets a table (checked before and after).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemRunner, type Runner, type RunOptions, type RunResult } from '../src/net/exec.js';
import { Firewall } from '../src/net/firewall.js';
import { compareChains, parseCountersJson, parseEcho, parseTableJson } from '../src/net/firewall-readback.js';
import { TUNNEL_FWMARK } from '../src/net/routing.js';
import {
  LATENCY_PROBE_RATE,
  firewallChains,
  growRuleset,
  removeRuleset,
  replaceRuleset,
  type ActivePolicy,
  type ExclusionMatch,
  type FirewallPolicy,
} from '../src/net/firewall-rules.js';
import {
  blocked,
  splitChains,
  transactionMode,
  tunnelPolicies,
  wg0Tunnel,
  type TransactionMode,
} from './firewall-fixtures.js';

const system = new SystemRunner();
const inNamespace = (ns: string, argv: readonly string[]): string[] => [
  'nsenter',
  `--net=/run/netns/${ns}`,
  ...argv,
];

/** Runs every command inside one network namespace; remembers what it ran, and each transaction's wall time. */
class NamespaceRunner implements Runner {
  readonly calls: string[] = [];
  readonly transactions: { mode: TransactionMode; ms: number }[] = [];
  constructor(private readonly ns: string) {}
  async run(argv: readonly string[], options?: RunOptions): Promise<RunResult> {
    this.calls.push(argv.join(' '));
    const start = performance.now();
    try {
      return await system.run(inNamespace(this.ns, argv), options);
    } finally {
      const input = options?.input;
      if (input !== undefined)
        this.transactions.push({ mode: transactionMode(input), ms: performance.now() - start });
    }
  }

  /** The kinds of the transactions from `from` on. */
  modesSince(from: number): TransactionMode[] {
    return this.transactions.slice(from).map((t) => t.mode);
  }
}

const { connecting, connected, clamped } = tunnelPolicies(wg0Tunnel);

/** Whether going from `from` to `to` only adds rules (what growRuleset decides; handles do not matter). */
function grows(from: FirewallPolicy, to: FirewallPolicy): boolean {
  if (from.kind === 'none' || to.kind === 'none') return false;
  const previous = firewallChains(from);
  const handles = new Map(previous.map((chain) => [chain.name, chain.rules.map(() => 1)]));
  return growRuleset(previous, handles, firewallChains(to)) !== undefined;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

describe.skipIf(process.getuid?.() !== 0)('the firewall on a real nft, in scratch namespaces', () => {
  const made: string[] = [];
  let rootTables = '';

  async function namespace(): Promise<string> {
    const ns = `slfw${randomBytes(3).toString('hex')}`;
    await system.run(['ip', 'netns', 'add', ns]);
    made.push(ns);
    await system.run(inNamespace(ns, ['ip', 'link', 'set', 'lo', 'up']));
    return ns;
  }

  const run = (ns: string, argv: string[], okCodes: number[] = []): Promise<RunResult> =>
    system.run(inNamespace(ns, argv), { okCodes });

  /** The kernel's named counters of `inet sluice`: packets and handle per name. */
  async function counters(ns: string): Promise<Map<string, { packets: number; handle: number }>> {
    const listed = await run(ns, ['nft', '-j', 'list', 'counters', 'table', 'inet', 'sluice']);
    const packets = parseCountersJson(listed.stdout);
    const parsed = JSON.parse(listed.stdout) as {
      nftables: { counter?: { name: string; handle: number } }[];
    };
    const out = new Map<string, { packets: number; handle: number }>();
    for (const { counter } of parsed.nftables)
      if (counter)
        out.set(counter.name, { packets: packets.get(counter.name) ?? -1, handle: counter.handle });
    return out;
  }

  beforeAll(async () => {
    rootTables = (await system.run(['nft', 'list', 'tables'])).stdout;
  });

  afterAll(async () => {
    try {
      for (const ns of made) await system.run(['ip', 'netns', 'del', ns]);
      const left = (await system.run(['ip', 'netns', 'list'])).stdout;
      for (const ns of made) expect(left).not.toContain(ns);
    } finally {
      // Reading only: this suite never changed the root namespace's tables.
      expect((await system.run(['nft', 'list', 'tables'])).stdout).toBe(rootTables);
    }
  });

  it('blocked, connecting, connected, blocked, none, connecting: one nft each, the kernel agrees, counts survive', async () => {
    const ns = await namespace();
    const runner = new NamespaceRunner(ns);
    const firewall = new Firewall(runner);
    await firewall.apply(blocked);
    expect(runner.calls).toEqual(['nft -e -a -f -']);
    expect(runner.modesSince(0)).toEqual(['replace']);
    expect(await firewall.verify(blocked)).toEqual([]);

    // The echo request and the reply both leave by lo: `loopback-out` counts them.
    await run(ns, ['ping', '-c1', '-W2', '127.0.0.1']);
    const pinged = (await firewall.hitsSinceStart()).get('loopback-out') ?? 0;
    expect(pinged).toBeGreaterThanOrEqual(2);

    for (const [policy, mode] of [
      [connecting, 'grow'],
      [connected, 'grow'],
      [blocked, 'update'],
    ] as const) {
      const [before, transactions] = [runner.calls.length, runner.transactions.length];
      await firewall.apply(policy);
      expect(runner.calls.slice(before)).toEqual(['nft -e -a -f -']);
      expect(runner.modesSince(transactions), `-> ${policy.kind}`).toEqual([mode]);
      expect(firewall.inForce).toBe(policy.kind);
      expect(await firewall.verify(policy)).toEqual([]);
      // The kernel's counter kept its count through the change.
      expect((await counters(ns)).get('loopback-out')?.packets).toBe(pinged);
    }
    const listed = await run(ns, ['nft', 'list', 'ruleset']);
    expect(listed.stdout).toContain('chain output {');
    expect(listed.stdout).not.toContain('policy_');

    await firewall.apply({ kind: 'none' });
    expect(firewall.inForce).toBe('none');
    expect(await firewall.verify({ kind: 'none' })).toEqual([]);
    expect((await firewall.hitsSinceStart()).get('loopback-out')).toBe(pinged);
    expect((await run(ns, ['nft', 'list', 'tables'])).stdout).toBe('');

    // After none there is nothing to delete: the table is created.
    const transactions = runner.transactions.length;
    await firewall.apply(connecting);
    expect(runner.modesSince(transactions)).toEqual(['create']);
    expect(await firewall.verify(connecting)).toEqual([]);
    await firewall.apply({ kind: 'none' });
  });

  it('every change between policies with LAN, bypass and several resolvers is one nft, grown when it only adds, and reads back', async () => {
    // With `flush table` first, nft 1.0.6 echoes stale anonymous sets here, or crashes after the commit.
    const lan = { allowLan: true, bypassRanges: ['100.64.0.0/10', 'fd7a:115c:a1e0::/48', '198.51.100.0/24'] };
    const policies: FirewallPolicy[] = [
      { kind: 'blocked', ...lan },
      { ...connecting, ...lan },
      { ...connected, ...lan, dnsServers: ['10.64.0.1', '10.64.0.9', 'fc00:bbbb::1'] },
      blocked,
      connected,
    ];
    const runner = new NamespaceRunner(await namespace());
    const firewall = new Firewall(runner);
    const seen: TransactionMode[] = [];
    for (const from of policies) {
      for (const to of policies) {
        await firewall.apply(from);
        const [before, transactions] = [runner.calls.length, runner.transactions.length];
        await firewall.apply(to);
        const label = `${from.kind} -> ${to.kind}`;
        if (from === to) {
          // The policy in force again: nothing runs.
          expect(runner.calls.slice(before), label).toEqual([]);
          continue;
        }
        expect(runner.calls.slice(before), label).toEqual(['nft -e -a -f -']);
        expect(runner.modesSince(transactions), label).toEqual([grows(from, to) ? 'grow' : 'update']);
        seen.push(...runner.modesSince(transactions));
        expect(await firewall.verify(to)).toEqual([]);
      }
    }
    expect(seen.filter((mode) => mode === 'grow').length).toBeGreaterThanOrEqual(4);
    await firewall.apply({ kind: 'none' });
  });

  it('grows blocked -> connecting -> connected -> MSS -> LAN: kept rules and counters stay the same kernel objects, new rules work where they were put', async () => {
    const ns = await namespace();
    // A stand-in for the tunnel interface (a veth: this kernel has no dummy), so packets leave by `wg0`.
    // No IPv6 on it: its router
    // solicitations would count on `ndp-out` whenever the kernel's timer sends them.
    await run(ns, ['sysctl', '-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1']);
    await run(ns, ['ip', 'link', 'add', 'wg0', 'type', 'veth', 'peer', 'name', 'wg0peer']);
    await run(ns, ['ip', 'address', 'add', '10.64.0.2/24', 'dev', 'wg0']);
    await run(ns, ['ip', 'link', 'set', 'wg0peer', 'up']);
    await run(ns, ['ip', 'link', 'set', 'wg0', 'up']);
    const runner = new NamespaceRunner(ns);
    const firewall = new Firewall(runner);
    await firewall.apply(blocked);
    await run(ns, ['ping', '-c1', '-W2', '127.0.0.1']);
    expect((await counters(ns)).get('loopback-out')?.packets).toBeGreaterThanOrEqual(2);

    /** One UDP datagram to `to:port`; the counter it must hit, and one it must not. */
    const send = async (to: string, port: number, hits: string, misses: string): Promise<void> => {
      const before = await counters(ns);
      await run(ns, ['bash', '-c', `echo x >/dev/udp/${to}/${port}`], [1]);
      const after = await counters(ns);
      const delta = (name: string): number =>
        (after.get(name)?.packets ?? 0) - (before.get(name)?.packets ?? 0);
      expect(delta(hits), `${to}:${port} on ${hits}`).toBe(1);
      expect(delta(misses), `${to}:${port} on ${misses}`).toBe(0);
    };
    const lanOn = { ...clamped, allowLan: true } satisfies FirewallPolicy;
    const steps: [ActivePolicy, TransactionMode, () => Promise<void>][] = [
      [connecting, 'grow', () => send('10.64.0.1', 53, 'dns-reject-udp', 'relay-out')],
      [connected, 'grow', () => send('10.64.0.1', 53, 'dns-udp-4', 'dns-reject-udp')],
      [clamped, 'grow', () => send('10.64.0.7', 9, 'tunnel-out-4', 'dns-reject-udp')],
      // 10.64.0.7 is a LAN address too, but the LAN rules went in after the tunnel's.
      [lanOn, 'grow', () => send('10.64.0.7', 9, 'tunnel-out-4', 'lan-out-4')],
      [blocked, 'update', () => send('10.64.0.1', 53, 'dns-reject-udp', 'dns-udp-4')],
    ];
    for (const [policy, mode, traffic] of steps) {
      const handlesOf = async (): Promise<Map<string, number | undefined>> =>
        new Map(
          ((await firewall.read()) ?? []).flatMap((c) =>
            c.tags.map((tag, i) => [tag, c.handles[i]] as const),
          ),
        );
      const rulesBefore = await handlesOf();
      const countersBefore = await counters(ns);
      const transactions = runner.transactions.length;
      await firewall.apply(policy);
      expect(runner.modesSince(transactions), `-> ${policy.kind}`).toEqual([mode]);
      expect(await firewall.verify(policy)).toEqual([]);
      const countersAfter = await counters(ns);
      // Named counters outlive every change in place: the same objects, the same counts.
      for (const [name, counter] of countersBefore) expect(countersAfter.get(name), name).toEqual(counter);
      for (const tag of firewallChains(policy).flatMap((c) => c.rules.map((r) => r.tag)))
        expect(countersAfter.get(tag)?.handle, tag).toBeDefined();
      if (mode === 'grow') {
        // Nothing was re-created: every rule that was there has its handle.
        const rulesAfter = await handlesOf();
        for (const [tag, handle] of rulesBefore) expect(rulesAfter.get(tag), tag).toBe(handle);
      }
      await traffic();
    }
    await firewall.apply({ kind: 'none' });
    expect(runner.modesSince(runner.transactions.length - 1)).toEqual(['remove']);
    expect((await run(ns, ['nft', 'list', 'tables'])).stdout).toBe('');
  });

  it('MSS clamping added by a grow loads and rewrites SYNs leaving and arriving through the tunnel interface', async () => {
    // `wg0` is one end of a veth pair; the other end is a peer in its own namespace.
    const [client, peer] = [await namespace(), await namespace()];
    await run(client, ['ip', 'link', 'add', 'wg0', 'type', 'veth', 'peer', 'name', 'peer0', 'netns', peer]);
    await run(client, ['ip', 'address', 'add', '10.64.0.2/24', 'dev', 'wg0']);
    await run(client, ['ip', 'link', 'set', 'wg0', 'up']);
    await run(peer, ['ip', 'address', 'add', '10.64.0.1/24', 'dev', 'peer0']);
    await run(peer, ['ip', 'link', 'set', 'peer0', 'up']);
    // Probes after the clamp: count SYNs that carry MSS 1096 (a veth's own would be 1460).
    const probe = (hook: string) =>
      `table inet probe {\n  counter clamped { }\n  chain c {\n    type filter hook ${hook} priority 0; policy accept;\n    tcp flags syn / syn,rst tcp option maxseg size 1096 counter name "clamped"\n  }\n}\n`;
    await system.run(inNamespace(peer, ['nft', '-f', '-']), { input: probe('input') });
    await system.run(inNamespace(client, ['nft', '-f', '-']), { input: probe('prerouting') });

    const runner = new NamespaceRunner(client);
    const firewall = new Firewall(runner);
    // Allow LAN (10.0.0.0/8) so the peer's SYN is answered (with a reset: nothing listens).
    await firewall.apply({ ...connected, allowLan: true });
    await firewall.apply({ ...clamped, allowLan: true });
    expect(runner.modesSince(0)).toEqual(['replace', 'grow']);
    expect(await firewall.verify({ ...clamped, allowLan: true })).toEqual([]);

    const connect = (from: string, to: string) =>
      run(from, ['timeout', '10', 'bash', '-c', `exec 3<>/dev/tcp/${to}/80`], [1]);
    expect((await connect(client, '10.64.0.1')).stderr).toContain('Connection refused');
    expect((await connect(peer, '10.64.0.2')).stderr).toContain('Connection refused');

    const clampedSyns = async (ns: string) => {
      const listed = await run(ns, ['nft', '-j', 'list', 'counters', 'table', 'inet', 'probe']);
      return parseCountersJson(listed.stdout, 'probe').get('clamped');
    };
    expect(await clampedSyns(peer)).toBe(1); // our SYN, clamped on the way out
    expect(await clampedSyns(client)).toBe(1); // the peer's SYN, clamped on the way in
    const hits = await firewall.hitsSinceStart();
    expect(hits.get('mss-out-4')).toBe(1);
    expect(hits.get('mss-in-4')).toBe(1);
    await firewall.apply({ kind: 'none' });
  });

  it("latency probes: in every policy only the helper's marked echo requests leave, rate-limited, and their replies come back; unmarked echo and marked UDP do not", async () => {
    // A client and a "relay" namespace joined by a veth; the relay answers pings.
    const client = await namespace();
    const relayNs = await namespace();
    await run(client, ['sysctl', '-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1']);
    await run(client, [
      'ip',
      'link',
      'add',
      'eth0',
      'type',
      'veth',
      'peer',
      'name',
      'eth0peer',
      'netns',
      relayNs,
    ]);
    await run(client, ['ip', 'address', 'add', '198.51.100.1/24', 'dev', 'eth0']);
    await run(client, ['ip', 'link', 'set', 'eth0', 'up']);
    await run(relayNs, ['ip', 'address', 'add', '198.51.100.2/24', 'dev', 'eth0peer']);
    await run(relayNs, ['ip', 'link', 'set', 'eth0peer', 'up']);
    // Another table marks UDP to port 9 the way only root could (a route chain runs before the filter).
    await system.run(inNamespace(client, ['nft', '-f', '-']), {
      input: [
        'table inet marker {',
        '  counter marked { }',
        '  chain output {',
        '    type route hook output priority mangle; policy accept;',
        `    udp dport 9 counter name "marked" meta mark set ${TUNNEL_FWMARK}`,
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const firewall = new Firewall(new NamespaceRunner(client));
    const mark = String(TUNNEL_FWMARK);
    const ping = (...flags: string[]): Promise<RunResult> =>
      run(client, ['ping', '-n', '-q', '-W', '1', ...flags, '198.51.100.2'], [1, 2]);
    const received = (result: RunResult): number => Number(/(\d+) received/.exec(result.stdout)?.[1] ?? -1);
    const packets = async (name: string): Promise<number> => (await counters(client)).get(name)?.packets ?? 0;
    const markedUdp = async (): Promise<number> => {
      const listed = await run(client, ['nft', '-j', 'list', 'counters', 'table', 'inet', 'marker']);
      return parseCountersJson(listed.stdout, 'marker').get('marked') ?? 0;
    };

    for (const policy of [blocked, connecting, connected]) {
      await firewall.apply(policy);
      const [outBefore, inBefore] = [await packets('latency-probe-out'), await packets('latency-probe-in')];
      expect(received(await ping('-c', '1', '-m', mark)), `${policy.kind}: marked echo`).toBe(1);
      expect(await packets('latency-probe-out')).toBe(outBefore + 1);
      expect(await packets('latency-probe-in')).toBe(inBefore + 1);
      // Unmarked: the rule does not take it, and the drop does.
      expect(received(await ping('-c', '1')), `${policy.kind}: unmarked echo`).toBe(0);
      expect(await packets('latency-probe-out')).toBe(outBefore + 1);
      // Marked, but UDP: not the rule's either, and nothing lets it out.
      const markedBefore = await markedUdp();
      const udp = await run(client, ['bash', '-c', 'echo x >/dev/udp/198.51.100.2/9'], [1]);
      expect(await markedUdp()).toBe(markedBefore + 1);
      expect(udp.code, `${policy.kind}: marked UDP`).toBe(1);
      expect(await packets('latency-probe-out')).toBe(outBefore + 1);
    }
    // A flood of marked echo requests: the limit lets the burst and the rate through, not all of them.
    const before = await packets('latency-probe-out');
    const flood = await ping('-c', '300', '-i', '0.002', '-m', mark);
    const passed = (await packets('latency-probe-out')) - before;
    expect(passed).toBeGreaterThanOrEqual(LATENCY_PROBE_RATE);
    expect(passed).toBeLessThan(300);
    expect(received(flood)).toBe(passed);
    await firewall.apply({ kind: 'none' });
  });

  it('route and nat chains built by hand go in, and read back the same from the echo and from the table', async () => {
    const ns = await namespace();
    const runner = new NamespaceRunner(ns);
    const chains = splitChains({ selector: 'meta mark 0x10', restore: false });
    try {
      const echo = await runner.run(['nft', '-e', '-a', '-f', '-'], { input: replaceRuleset(chains) });
      expect(compareChains(chains, parseEcho(echo.stdout))).toEqual([]);
      const listed = await runner.run(['nft', '-j', 'list', 'table', 'inet', 'sluice']);
      expect(compareChains(chains, parseTableJson(listed.stdout))).toEqual([]);
    } finally {
      await runner.run(['nft', '-f', '-'], { input: removeRuleset() });
    }
  });

  it('split tunnelling: exclusion chains by cgroup v2 path and by net_cls classid load in every policy and read back', async () => {
    // A scratch cgroup in the host's v2 hierarchy (nft resolves the path when the rule loads); removed after.
    const v2root = existsSync('/sys/fs/cgroup/unified/cgroup.procs')
      ? '/sys/fs/cgroup/unified'
      : '/sys/fs/cgroup';
    const name = `slfw-${randomBytes(3).toString('hex')}`;
    mkdirSync(`${v2root}/${name}`);
    try {
      const path = v2root === '/sys/fs/cgroup' ? name : `unified/${name}`;
      const matches: ExclusionMatch[] = [
        { mechanism: 'cgroup2', path, level: 1 },
        { mechanism: 'net_cls', classid: 0x534c0001 },
      ];
      const runner = new NamespaceRunner(await namespace());
      const firewall = new Firewall(runner);
      for (const exclusion of matches) {
        for (const policy of [blocked, connecting, connected, blocked] as const) {
          const excluded = { ...policy, exclusion };
          await firewall.apply(excluded);
          expect(await firewall.verify(excluded), `${exclusion.mechanism} ${policy.kind}`).toEqual([]);
        }
        // Turning it off takes the chains out again.
        await firewall.apply(connected);
        expect(await firewall.verify(connected)).toEqual([]);
      }
      const listed = (await runner.run(['nft', 'list', 'table', 'inet', 'sluice'])).stdout;
      expect(listed).not.toContain('exclusion_');
      await firewall.apply({ ...connected, exclusion: matches[0] });
      const rules = (await runner.run(['nft', 'list', 'table', 'inet', 'sluice'])).stdout;
      expect(rules).toContain(
        `socket cgroupv2 level 1 "${path}" ct state new ct mark set ct mark | 0x534c0000`,
      );
      expect(rules).toMatch(/type nat hook postrouting priority srcnat; policy accept;/);
      // The DNS exception keeps excluded programs' queries to the in-tunnel resolver in the tunnel.
      expect(rules).toContain('ip daddr 10.64.0.1 udp dport 53 counter name "excluded-dns-udp-4" return');
      await firewall.apply({ kind: 'none' });
    } finally {
      rmdirSync(`${v2root}/${name}`);
    }
  });

  it("an excluded socket's packets keep another program's mark bits (Tailscale's 0xff0000) beside the tunnel fwmark", async () => {
    const v2root = existsSync('/sys/fs/cgroup/unified/cgroup.procs')
      ? '/sys/fs/cgroup/unified'
      : '/sys/fs/cgroup';
    const name = `slfw-${randomBytes(3).toString('hex')}`;
    mkdirSync(`${v2root}/${name}`);
    const ns = await namespace();
    try {
      const path = v2root === '/sys/fs/cgroup' ? name : `unified/${name}`;
      const firewall = new Firewall(new NamespaceRunner(ns));
      await firewall.apply({ ...blocked, exclusion: { mechanism: 'cgroup2', path, level: 1 } });
      // Tailscale-like: its own table sets its bit before ours runs; a later chain counts what both left.
      const other = [
        'table inet othervpn {',
        '  chain setbit { type route hook output priority -160; policy accept; meta mark set meta mark | 0x00040000; }',
        '  chain seen { type filter hook output priority -140; policy accept; meta mark 0x0004534c counter; }',
        '}',
        '',
      ].join('\n');
      await system.run(inNamespace(ns, ['nft', '-f', '-']), { input: other });
      // A process that joins the exclusion cgroup, then becomes ping (so its socket is made inside it).
      const addon = resolve(import.meta.dirname, '../../../packages/execve');
      const script = `require('node:fs').writeFileSync(${JSON.stringify(`${v2root}/${name}/cgroup.procs`)}, String(process.pid));
        require(${JSON.stringify(addon)}).execProgram('/bin/ping', ['ping', '-c1', '-W2', '127.0.0.1']);`;
      await system.run(inNamespace(ns, [process.execPath, '-e', script]));
      const listed = (await run(ns, ['nft', 'list', 'chain', 'inet', 'othervpn', 'seen'])).stdout;
      expect(listed).toMatch(/meta mark 0x0004534c counter packets [1-9]/);
      expect((await firewall.hitsSinceStart()).get('excluded-new')).toBeGreaterThanOrEqual(1);
    } finally {
      rmdirSync(`${v2root}/${name}`);
    }
  });

  it('times each kind of transaction (printed for the record, not asserted)', async () => {
    const ns = await namespace();
    const runner = new NamespaceRunner(ns);
    const rounds = 15;
    for (let round = 0; round < rounds; round++) {
      // A new helper each round: its first policy replaces the table the round before left.
      const firewall = new Firewall(runner);
      await firewall.apply(connecting); // replace
      await firewall.apply(clamped); // grow
      await firewall.apply(connecting); // update
      await firewall.apply({ kind: 'none' }); // remove
      await firewall.apply(connecting); // create
      await firewall.apply(clamped); // grow
    }
    const modes = runner.transactions.map((t) => t.mode);
    expect(modes.slice(0, 6)).toEqual(['replace', 'grow', 'update', 'remove', 'create', 'grow']);
    // The process alone: nsenter, nft, one netlink round trip.
    const baseline: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      await run(ns, ['nft', 'list', 'tables']);
      baseline.push(performance.now() - start);
    }
    const report = (name: string, times: number[]): string =>
      `${name.padEnd(8)} n=${String(times.length).padStart(2)}  median ${median(times).toFixed(1).padStart(5)} ms  ` +
      `min ${Math.min(...times)
        .toFixed(1)
        .padStart(5)} ms  max ${Math.max(...times)
        .toFixed(1)
        .padStart(5)} ms`;
    const lines = (['grow', 'update', 'replace', 'create', 'remove'] as const).map((mode) =>
      report(
        mode,
        runner.transactions.filter((t) => t.mode === mode).map((t) => t.ms),
      ),
    );
    console.info(
      [
        'nft transaction wall times (nsenter + nft -e -a -f -, connecting <-> connected with MSS, nft 1.0.6):',
        ...lines,
        report('baseline', baseline) + '  (nft list tables)',
      ].join('\n'),
    );
    expect(modes.filter((mode) => mode === 'grow')).toHaveLength(2 * rounds);
  });
});
