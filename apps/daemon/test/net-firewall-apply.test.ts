// The Firewall against a stateful fake of nft: how many processes each policy change costs, which kind
// of transaction it is (replace, update in place, or grow: add-only), what happens to the counters, and
// what it does when nft fails or disagrees.
import { describe, expect, it } from 'vitest';
import { RecordingRunner, type RunResult } from '../src/net/exec.js';
import { Firewall, FirewallError } from '../src/net/firewall.js';
import {
  FIREWALL_TABLE,
  FirewallInputError,
  firewallChains,
  createRuleset,
  firewallRuleset,
  growRuleset,
  isBaseChain,
  priorityValue,
  removeRuleset,
  renderRule,
  type FirewallPolicy,
} from '../src/net/firewall-rules.js';
import {
  blocked,
  none,
  REPLACE,
  sluiceTunnel,
  transactionMode,
  tunnelPolicies,
  type TransactionMode,
} from './firewall-fixtures.js';

// A fake nft as far as the Firewall uses it. It runs the transactions the renderer writes, all or
// nothing; echoes what it committed in nft 1.0.6's format (`-e -a`); lists the table and its counters
// as `nft -j` does; and lets a test count packets on a rule. It understands the renderer's statements
// only, line by line: anything else is a syntax error (so `flush` is one).
//
// Like the kernel: handles are per table and increase (chains, counters, anonymous sets and rules all
// take one); a block declares its chains, then its counters, then its rules; `add counter` of an
// existing counter does nothing; `insert rule ... position H` goes before rule H, `add rule` at the end
// (or after H); a rule deleted in a transaction stays in its chain until the commit. The echo is what
// nft 1.0.6 printed in a scratch namespace: `add`/`insert` as written, and for a rule that is neither
// the first nor the last of its chain at commit time, the handle of the rule before it, e.g.
//   insert rule inet sluice output oifname "wg0" ... comment "mss-out-4" # handle 53
//   insert rule inet sluice output handle 53 oifname "wg0" ... comment "mss-out-6" # handle 54
//   add rule inet sluice output handle 34 oifname "wg0" meta nfproto ipv4 ... comment "tunnel-out-4" # handle 57
//   add rule inet sluice output oifname "wg0" meta nfproto ipv6 ... comment "tunnel-out-6" # handle 58

interface FakeRule {
  handle: number;
  text: string;
  tag: string;
  /** Deleted by the transaction running now: gone at its commit. */
  doomed?: boolean;
}

interface FakeChain {
  name: string;
  handle: number;
  hook?: { type: string; hook: string; priority: string; policy: string };
  rules: FakeRule[];
}

interface FakeTable {
  handle: number;
  /** The last handle given in this table. */
  lastHandle: number;
  counters: Map<string, { handle: number; packets: number }>;
  chains: Map<string, FakeChain>;
}

class NftFailure extends Error {}

const META = { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } };
const MISSING = (what: string): Partial<RunResult> => ({
  code: 1,
  stderr: `Error: No such file or directory\n${what}\n`,
});
const ENOENT = 'Could not process rule: No such file or directory';
const NAME = `inet ${FIREWALL_TABLE}`;

function copy(table: FakeTable | undefined): FakeTable | undefined {
  if (!table) return undefined;
  return {
    ...table,
    counters: new Map([...table.counters].map(([name, c]) => [name, { ...c }])),
    chains: new Map(
      [...table.chains].map(([name, c]) => [name, { ...c, rules: c.rules.map((r) => ({ ...r })) }]),
    ),
  };
}

/** Rule text as nft 1.0.6 prints it back: a set of one is a value, a mark is hexadecimal. */
function printed(text: string): string {
  return text
    .replace(/\{ ([^,{}]+) \}/g, '$1')
    .replace(
      /meta mark (\d+)/g,
      (_, mark: string) => `meta mark 0x${Number(mark).toString(16).padStart(8, '0')}`,
    );
}

class FakeNft {
  /** `inet sluice`, or undefined when there is none. A test may delete it, as another program could. */
  table: FakeTable | undefined;
  /** Rewrites the echo of the next transactions (to simulate a kernel that disagrees). */
  echoFilter: ((echo: string) => string) | undefined;
  /** Every transaction fails with this error (e.g. the nftables module went away). */
  refuse: string | undefined;
  /** Transactions this accepts fail with EPERM (e.g. only grow transactions). */
  refuseIf: ((input: string) => boolean) | undefined;
  readonly runner: RecordingRunner;
  private tableHandles = 0;
  private generation = 1;

  constructor() {
    this.runner = new RecordingRunner((argv, input) => this.answer(argv, input));
  }

  /** The table as chains of rule texts, in the renderer's terms; undefined without a table. */
  chains(): { name: string; header?: string; rules: string[] }[] | undefined {
    if (!this.table) return undefined;
    return [...this.table.chains.values()].map((chain) => ({
      name: chain.name,
      ...(chain.hook && {
        header: `${chain.hook.type} ${chain.hook.hook} ${priorityValue(chain.hook.priority)} ${chain.hook.policy}`,
      }),
      rules: chain.rules.map((r) => r.text),
    }));
  }

  /** The handle of each rule, by tag. */
  handles(): Map<string, number> {
    return new Map(
      [...(this.table?.chains.values() ?? [])].flatMap((c) => c.rules.map((r) => [r.tag, r.handle])),
    );
  }

  /** Packets hitting the rule tagged `tag`, counted by the counter it names. */
  hit(tag: string, packets = 1): void {
    const rule = [...(this.table?.chains.values() ?? [])].flatMap((c) => c.rules).find((r) => r.tag === tag);
    const counter = this.table?.counters.get(tag);
    if (!rule || !counter) throw new Error(`no rule tagged ${tag} to hit`);
    counter.packets += packets;
  }

  private answer(argv: readonly string[], input: string | undefined): Partial<RunResult> {
    const command = argv.join(' ');
    const table = `table ${NAME}`;
    if (command === `nft -j list ${table}`)
      return this.table ? { stdout: this.tableJson(this.table) } : MISSING(`list ${table}`);
    if (command === `nft -j list counters ${table}`)
      return this.table ? { stdout: this.countersJson(this.table) } : MISSING(`list counters ${table}`);
    if ((command === 'nft -e -a -f -' || command === 'nft -f -') && input !== undefined) {
      if (this.refuse !== undefined) return { code: 1, stderr: `Error: ${this.refuse}\n` };
      if (this.refuseIf?.(input))
        return { code: 1, stderr: 'Error: Could not process rule: Operation not permitted\n' };
      try {
        const echo = this.transaction(input);
        return { stdout: command.includes('-e') ? (this.echoFilter?.(echo) ?? echo) : '' };
      } catch (error) {
        if (error instanceof NftFailure) return { code: 1, stderr: `Error: ${error.message}\n` };
        throw error;
      }
    }
    return { code: 1, stderr: `Error: the fake nft does not know \`${command}\`\n` };
  }

  /** Run one transaction on a copy and keep it only if every statement worked. */
  private transaction(input: string): string {
    let table = copy(this.table);
    // Rule lines are printed at the commit, when their neighbours are known.
    const echo: (string | (() => string))[] = [];
    const lines = input.split('\n');
    const ensure = (): FakeTable => {
      if (!table) {
        table = { handle: ++this.tableHandles, lastHandle: 0, counters: new Map(), chains: new Map() };
        echo.push(`add table ${NAME} # handle ${table.handle}`);
      }
      return table;
    };
    const existing = (): FakeTable => {
      if (!table) throw new NftFailure(ENOENT);
      return table;
    };
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] ?? '').trim();
      let match: RegExpExecArray | null;
      if (line === '') continue;
      else if (line === `table ${NAME}`) ensure();
      else if (line === `create table ${NAME}`) {
        if (table) throw new NftFailure('Could not process rule: File exists');
        table = { handle: ++this.tableHandles, lastHandle: 0, counters: new Map(), chains: new Map() };
        echo.push(`create table ${NAME} # handle ${table.handle}`);
      } else if (line === `table ${NAME} {`) i = this.block(ensure(), lines, i + 1, echo);
      else if (line === `delete table ${NAME}`) {
        existing();
        table = undefined;
      } else if ((match = /^delete rule inet sluice (\S+) handle (\d+)$/.exec(line))) {
        const rule = live(existing(), match[1] ?? '', Number(match[2]));
        rule.doomed = true;
      } else if ((match = /^delete chain inet sluice (\S+)$/.exec(line))) {
        const chain = existing().chains.get(match[1] ?? '');
        if (!chain) throw new NftFailure(ENOENT);
        if (chain.rules.some((r) => !r.doomed))
          throw new NftFailure('Could not process rule: Device or resource busy');
        existing().chains.delete(chain.name);
      } else if ((match = /^add counter inet sluice ([a-z0-9-]+)$/.exec(line))) {
        addCounter(existing(), match[1] ?? '', echo);
      } else if ((match = /^(add|insert) rule inet sluice (\S+) (?:position (\d+) )?(.+)$/.exec(line))) {
        const [, verb = '', chain = '', position, text = ''] = match;
        placeRule(existing(), chain, text, verb as 'add' | 'insert', position, echo);
      } else throw new NftFailure(`syntax error: ${line}`);
    }
    const printedEcho = echo.map((entry) => (typeof entry === 'string' ? entry : entry()));
    for (const chain of table?.chains.values() ?? []) chain.rules = chain.rules.filter((r) => !r.doomed);
    this.table = table;
    printedEcho.push(`# new generation ${++this.generation} by process 4242 (nft)`);
    return `${printedEcho.join('\n')}\n`;
  }

  /** A `table inet sluice { ... }` block from line `start`; returns the index of its closing brace. */
  private block(
    table: FakeTable,
    lines: readonly string[],
    start: number,
    echo: (string | (() => string))[],
  ): number {
    const counters: string[] = [];
    const chains: { name: string; header: FakeChain['hook']; rules: string[] }[] = [];
    let chain: (typeof chains)[number] | undefined;
    let end = -1;
    for (let i = start; i < lines.length && end < 0; i++) {
      const line = (lines[i] ?? '').trim();
      let match: RegExpExecArray | null;
      if (!chain && line === '}') end = i;
      else if (!chain && (match = /^counter (\S+) \{ \}$/.exec(line))) counters.push(match[1] ?? '');
      else if (!chain && (match = /^chain (\S+) \{$/.exec(line))) {
        chain = { name: match[1] ?? '', header: undefined, rules: [] };
        chains.push(chain);
      } else if (chain && (match = /^type (\S+) hook (\S+) priority ([^;]+); policy (\S+);$/.exec(line))) {
        const [, type = '', hook = '', priority = '', policy = ''] = match;
        chain.header = { type, hook, priority, policy };
      } else if (chain && line === '}') chain = undefined;
      else if (chain) chain.rules.push(line);
      else throw new NftFailure(`syntax error: ${line}`);
    }
    if (end < 0) throw new NftFailure('syntax error: unterminated table block');
    // nft sends the chains first, then the counters, then the rules.
    for (const declared of chains) this.declare(table, declared.name, declared.header, echo);
    for (const counter of counters) addCounter(table, counter, echo);
    for (const declared of chains)
      for (const text of declared.rules) placeRule(table, declared.name, text, 'add', undefined, echo);
    return end;
  }

  private declare(
    table: FakeTable,
    chainName: string,
    header: FakeChain['hook'],
    echo: (string | (() => string))[],
  ): void {
    let chain = table.chains.get(chainName);
    if (chain) {
      const was = chain.hook;
      const same =
        was === undefined || header === undefined
          ? was === header
          : was.type === header.type &&
            was.hook === header.hook &&
            priorityValue(was.priority) === priorityValue(header.priority);
      if (!same) throw new NftFailure('Could not process rule: Operation not supported');
      chain.hook = header;
    } else {
      chain = { name: chainName, handle: ++table.lastHandle, hook: header, rules: [] };
      table.chains.set(chainName, chain);
    }
    const hook = chain.hook;
    echo.push(
      hook
        ? `add chain ${NAME} ${chainName} { type ${hook.type} hook ${hook.hook} priority ${hook.priority}; policy ${hook.policy}; } # handle ${chain.handle}`
        : `add chain ${NAME} ${chainName} # handle ${chain.handle}`,
    );
  }

  private tableJson(table: FakeTable): string {
    const base = { family: 'inet', table: FIREWALL_TABLE };
    const objects: unknown[] = [
      META,
      { table: { family: 'inet', name: FIREWALL_TABLE, handle: table.handle } },
      ...this.counterObjects(table),
      ...[...table.chains.values()].map((chain) => ({
        chain: {
          ...base,
          name: chain.name,
          handle: chain.handle,
          ...(chain.hook && {
            type: chain.hook.type,
            hook: chain.hook.hook,
            prio: priorityValue(chain.hook.priority),
            policy: chain.hook.policy,
          }),
        },
      })),
      ...[...table.chains.values()].flatMap((chain) =>
        chain.rules.map((rule) => ({
          rule: { ...base, chain: chain.name, handle: rule.handle, comment: rule.tag, expr: [] },
        })),
      ),
    ];
    return JSON.stringify({ nftables: objects });
  }

  private countersJson(table: FakeTable): string {
    return JSON.stringify({ nftables: [META, ...this.counterObjects(table)] });
  }

  private counterObjects(table: FakeTable): unknown[] {
    return [...table.counters].map(([name, counter]) => ({
      counter: { family: 'inet', name, table: FIREWALL_TABLE, ...counter, bytes: counter.packets * 100 },
    }));
  }
}

/** A rule of the table that this transaction has not deleted. */
function live(table: FakeTable, chainName: string, handle: number): FakeRule {
  const rule = table.chains.get(chainName)?.rules.find((r) => r.handle === handle && !r.doomed);
  if (!rule) throw new NftFailure(ENOENT);
  return rule;
}

function addCounter(table: FakeTable, name: string, echo: (string | (() => string))[]): void {
  if (table.counters.has(name)) return;
  const handle = ++table.lastHandle;
  table.counters.set(name, { handle, packets: 0 });
  echo.push(`add counter ${NAME} ${name} { # handle ${handle} packets 0 bytes 0 } `);
}

function placeRule(
  table: FakeTable,
  chainName: string,
  text: string,
  verb: 'add' | 'insert',
  position: string | undefined,
  echo: (string | (() => string))[],
): void {
  const chain = table.chains.get(chainName);
  if (!chain) throw new NftFailure(ENOENT);
  for (const [, counter = ''] of text.matchAll(/counter name "([^"]+)"/g))
    if (!table.counters.has(counter)) throw new NftFailure(ENOENT);
  const anchor =
    position === undefined ? undefined : chain.rules.indexOf(live(table, chainName, Number(position)));
  // An anonymous set (more than one element) takes a handle before its rule.
  table.lastHandle += [...text.matchAll(/\{ [^{}]*, [^{}]* \}/g)].length;
  const rule: FakeRule = {
    handle: ++table.lastHandle,
    text,
    tag: /comment "([^"]*)"$/.exec(text)?.[1] ?? '',
  };
  const at =
    anchor === undefined ? (verb === 'add' ? chain.rules.length : 0) : verb === 'add' ? anchor + 1 : anchor;
  chain.rules.splice(at, 0, rule);
  echo.push(() => {
    const index = chain.rules.indexOf(rule);
    const before = index > 0 && index < chain.rules.length - 1 ? chain.rules[index - 1] : undefined;
    const after = before ? `handle ${before.handle} ` : '';
    return `${verb} rule ${NAME} ${chainName} ${after}${printed(text)} # handle ${rule.handle}`;
  });
}

const { connecting, connected, clamped } = tunnelPolicies(sluiceTunnel);

type Mode = TransactionMode | 'list';

/**
 * Which kind of nft call this is, from its argv and input: a list, or a transaction run the way the
 * Firewall runs that kind (a remove without the echo, every other one with it).
 */
function modeOf(call: { argv: string; input?: string }): Mode {
  const { argv, input } = call;
  if (argv.startsWith('nft -j list ')) return 'list';
  if (input === undefined) return 'other';
  const mode = transactionMode(input);
  if (argv === 'nft -f -') return mode === 'remove' ? 'remove' : 'other';
  if (argv === 'nft -e -a -f -') return mode === 'remove' ? 'other' : mode;
  return 'other';
}

/** What the table must be for `policy`, in the fake's terms. */
function expected(policy: FirewallPolicy): ReturnType<FakeNft['chains']> {
  if (policy.kind === 'none') return undefined;
  return firewallChains(policy).map((chain) => ({
    name: chain.name,
    ...(isBaseChain(chain) && {
      header: `${chain.type} ${chain.hook} ${priorityValue(chain.priority)} ${chain.policy}`,
    }),
    rules: chain.rules.map(renderRule),
  }));
}

function setup(): {
  nft: FakeNft;
  firewall: Firewall;
  since: () => () => { argv: string; input?: string }[];
} {
  const nft = new FakeNft();
  const firewall = new Firewall(nft.runner);
  /** The calls made from now on, when asked. */
  const since = () => {
    const start = nft.runner.calls.length;
    return () =>
      nft.runner.calls
        .slice(start)
        .map((c) => ({ argv: c.argv.join(' '), ...(c.input === undefined ? {} : { input: c.input }) }));
  };
  return { nft, firewall, since };
}

/** Apply `policy` and return the kinds of the calls it made. */
async function applyModes(
  { firewall, since }: ReturnType<typeof setup>,
  policy: FirewallPolicy,
): Promise<{ modes: Mode[]; calls: { argv: string; input?: string }[] }> {
  const calls = since();
  await firewall.apply(policy);
  return { modes: calls().map(modeOf), calls: calls() };
}

describe('the fake nft', () => {
  it('echoes an insert and an add as nft 1.0.6 does, with kernel-like handles', async () => {
    const { nft } = setup();
    await nft.runner.run(['nft', '-e', '-a', '-f', '-'], { input: firewallRuleset(blocked) });
    const handles = nft.handles();
    // Four chains, twelve counters, then the rules (each NDP rule's set takes a handle first).
    expect([...handles.values()]).toEqual([17, 18, 19, 21, 22, 23, 24, 25, 27, 28, 29, 30]);
    const result = await nft.runner.run(['nft', '-e', '-a', '-f', '-'], {
      input: [
        'add counter inet sluice a-b',
        'add counter inet sluice loopback-out',
        'insert rule inet sluice output position 23 counter name "a-b" accept comment "a-b"',
        'insert rule inet sluice output position 23 ip daddr { 10.0.0.1 } counter name "a-b" accept comment "c-d"',
        'add rule inet sluice output meta mark 21324 counter name "a-b" accept comment "e-f"',
        'add rule inet sluice output counter name "a-b" accept comment "g-h"',
        'insert rule inet sluice input counter name "a-b" accept comment "i-j"',
        '',
      ].join('\n'),
    });
    expect(result.stdout).toBe(
      [
        'add counter inet sluice a-b { # handle 31 packets 0 bytes 0 } ',
        'insert rule inet sluice output counter name "a-b" accept comment "a-b" # handle 32',
        'insert rule inet sluice output handle 32 ip daddr 10.0.0.1 counter name "a-b" accept comment "c-d" # handle 33',
        'add rule inet sluice output handle 30 meta mark 0x0000534c counter name "a-b" accept comment "e-f" # handle 34',
        'add rule inet sluice output counter name "a-b" accept comment "g-h" # handle 35',
        'insert rule inet sluice input counter name "a-b" accept comment "i-j" # handle 36',
        '# new generation 3 by process 4242 (nft)',
        '',
      ].join('\n'),
    );
    expect(
      nft
        .chains()
        ?.find((c) => c.name === 'output')
        ?.rules.map((r) => /comment "(.*)"$/.exec(r)?.[1]),
    ).toEqual([
      'a-b',
      'c-d',
      'loopback-out',
      'dhcp4-out',
      'dhcp6-out',
      'ndp-out',
      'latency-probe-out',
      'dns-reject-udp',
      'dns-reject-tcp',
      'e-f',
      'g-h',
    ]);
  });

  it('refuses a position that is not there, a counter that is not there, and a flush', async () => {
    const { nft } = setup();
    await nft.runner.run(['nft', '-e', '-a', '-f', '-'], { input: firewallRuleset(blocked) });
    const before = nft.chains();
    for (const input of [
      'add counter inet sluice a-b\ninsert rule inet sluice output position 999 counter name "a-b" accept comment "a-b"\n',
      'add rule inet sluice output counter name "x-y" accept comment "x-y"\n',
      'add counter inet sluice a-b\nadd rule inet sluice nochain counter name "a-b" accept comment "a-b"\n',
      'delete rule inet sluice output handle 20\ninsert rule inet sluice output position 20 accept comment "a-b"\n',
      'flush table inet sluice\n',
    ]) {
      await expect(nft.runner.run(['nft', '-e', '-a', '-f', '-'], { input })).rejects.toThrow(/Error: /);
      expect(nft.chains()).toEqual(before);
      expect(nft.table?.counters.has('a-b')).toBe(false);
    }
  });
});

describe('applying policies', () => {
  it('the first apply replaces the table in one process; every later change is one process, grown or in place', async () => {
    const t = setup();
    const first = t.since();
    await t.firewall.apply(blocked);
    expect(first()).toEqual([{ argv: 'nft -e -a -f -', input: firewallRuleset(blocked) }]);
    expect(t.firewall.inForce).toBe('blocked');
    const steps: [FirewallPolicy, Mode][] = [
      [connecting, 'grow'],
      [connected, 'grow'],
      [blocked, 'update'],
      [connected, 'grow'],
      [connecting, 'update'],
    ];
    for (const [policy, mode] of steps) {
      const { modes, calls } = await applyModes(t, policy);
      expect(modes, `-> ${policy.kind}`).toEqual([mode]);
      expect(calls[0]?.input).not.toContain('delete table');
      expect(t.nft.chains()).toEqual(expected(policy));
      expect(t.firewall.inForce).toBe(policy.kind);
      expect(await t.firewall.verify(policy)).toEqual([]);
    }
  });

  it('connecting -> connected is one process and a grow: only additions, the kept rules keep their handles', async () => {
    const t = setup();
    await t.firewall.apply(connecting);
    const before = t.nft.handles();
    const chains = firewallChains(connecting);
    const handles = new Map(
      chains.map((chain) => [chain.name, chain.rules.map((r) => before.get(r.tag) ?? 0)] as const),
    );
    const { calls } = await applyModes(t, clamped);
    expect(calls).toEqual([
      { argv: 'nft -e -a -f -', input: growRuleset(chains, handles, firewallChains(clamped)) },
    ]);
    const input = calls[0]?.input ?? '';
    expect(input).not.toMatch(/delete|flush|chain|table/);
    expect(input).toMatch(/^insert rule inet sluice output position \d+ /m);
    expect(t.nft.chains()).toEqual(expected(clamped));
    const after = t.nft.handles();
    for (const [tag, handle] of before) expect(after.get(tag), tag).toBe(handle);
    expect(await t.firewall.verify(clamped)).toEqual([]);
    expect(t.firewall.inForce).toBe('connected');
  });

  it('the policy in force again runs nothing', async () => {
    const t = setup();
    await t.firewall.apply(connected);
    expect((await applyModes(t, connected)).modes).toEqual([]);
    expect(t.firewall.inForce).toBe('connected');
    expect(await t.firewall.verify(connected)).toEqual([]);
  });

  it('a change that removes or changes a rule goes in place (update), in one process', async () => {
    const changes: [FirewallPolicy, FirewallPolicy][] = [
      [connected, connecting],
      [clamped, connected],
      [connected, { ...connected, relay: { address: '198.51.100.7', port: 51820 } }],
      [connecting, { ...connected, gateways: ['10.64.0.1'] }],
      [{ ...connected, allowLan: true }, connected],
      [connected, blocked],
    ];
    for (const [from, to] of changes) {
      const t = setup();
      await t.firewall.apply(from);
      const { modes, calls } = await applyModes(t, to);
      expect(modes, `${JSON.stringify(from)} -> ${JSON.stringify(to)}`).toEqual(['update']);
      expect(calls[0]?.input?.startsWith(`table inet ${FIREWALL_TABLE} {\n`)).toBe(true);
      expect(t.nft.chains()).toEqual(expected(to));
      expect(await t.firewall.verify(to)).toEqual([]);
    }
  });

  it("the handles it tracks after a grow are the kernel's: the next grow places rules by them, the next update deletes by them", async () => {
    const t = setup();
    const lan: FirewallPolicy = { ...clamped, allowLan: true };
    const steps: [FirewallPolicy, Mode[]][] = [
      [blocked, ['replace']],
      [connecting, ['grow']],
      [connected, ['grow']],
      [clamped, ['grow']],
      [lan, ['grow']],
      [blocked, ['update']],
      [connecting, ['grow']],
      [none, ['list', 'remove']],
    ];
    let inserted = 0;
    for (const [policy, wanted] of steps) {
      const before = t.nft.handles();
      const { modes, calls } = await applyModes(t, policy);
      expect(modes, `-> ${policy.kind}`).toEqual(wanted);
      const input = calls.at(-1)?.input ?? '';
      if (wanted[0] === 'grow') {
        // Every position is a rule that was there, and each new rule now sits right before it.
        const positions = [
          ...input.matchAll(/^insert rule inet sluice \S+ position (\d+) .*comment "([^"]+)"$/gm),
        ];
        inserted += positions.length;
        for (const [, handle] of positions) expect([...before.values()]).toContain(Number(handle));
        for (const [, handle, tag] of positions) {
          const chain = [...(t.nft.table?.chains.values() ?? [])].find((c) =>
            c.rules.some((r) => r.tag === tag),
          );
          const at = chain?.rules.findIndex((r) => r.tag === tag) ?? -1;
          const following = chain?.rules.slice(at + 1).find((r) => before.has(r.tag));
          expect(following?.handle, tag).toBe(Number(handle));
        }
      }
      if (wanted[0] === 'update') {
        // Exactly the rules that were in force are deleted, by the handles the kernel gave them.
        const deleted = [...input.matchAll(/^delete rule inet sluice \S+ handle (\d+)$/gm)].map((m) =>
          Number(m[1]),
        );
        expect(deleted.sort((a, b) => a - b)).toEqual([...before.values()].sort((a, b) => a - b));
      }
      expect(t.nft.chains()).toEqual(expected(policy));
      expect(await t.firewall.verify(policy)).toEqual([]);
      expect(t.firewall.inForce).toBe(policy.kind);
    }
    expect(inserted).toBeGreaterThan(10);
  });

  it('none reads the counters, then deletes the table; exit 0 is the proof', async () => {
    const { nft, firewall, since } = setup();
    await firewall.apply(blocked);
    nft.hit('loopback-out', 3);
    const calls = since();
    await firewall.apply(none);
    expect(calls()).toEqual([
      { argv: 'nft -j list counters table inet sluice' },
      { argv: 'nft -f -', input: removeRuleset() },
    ]);
    expect(nft.table).toBeUndefined();
    expect(firewall.inForce).toBe('none');
    const quiet = since();
    expect((await firewall.hitsSinceStart()).get('loopback-out')).toBe(3);
    expect(quiet()).toEqual([]);
    expect(await firewall.verify(none)).toEqual([]);
  });

  it('none with no table of its own (at start-up): only the delete', async () => {
    const { firewall, since } = setup();
    const calls = since();
    await firewall.apply(none);
    expect(calls()).toEqual([{ argv: 'nft -f -', input: removeRuleset() }]);
  });

  it('after none, the next policy creates the table (nothing to grow from, nothing to delete)', async () => {
    const { nft, firewall, since } = setup();
    await firewall.apply(blocked);
    nft.hit('loopback-out', 2);
    await firewall.apply(none);
    const calls = since();
    await firewall.apply(connecting);
    expect(calls()).toEqual([{ argv: 'nft -e -a -f -', input: createRuleset(firewallChains(connecting)) }]);
    expect(calls()[0]?.input).not.toContain('delete');
    expect(nft.chains()).toEqual(expected(connecting));
    expect(await firewall.verify(connecting)).toEqual([]);
    // Its counters count, on top of the removed table's; and the next change grows from it.
    nft.hit('loopback-out');
    expect((await firewall.hitsSinceStart()).get('loopback-out')).toBe(3);
    const next = since();
    await firewall.apply(connected);
    expect(next().map(modeOf)).toEqual(['grow']);
  });

  it('after none, a table someone else made in the meantime: the create fails, the table is replaced', async () => {
    const t = setup();
    await t.firewall.apply(blocked);
    await t.firewall.apply(none);
    await new Firewall(t.nft.runner).apply(blocked); // another program
    t.nft.hit('loopback-out', 5);
    const { modes } = await applyModes(t, connecting);
    expect(modes).toEqual(['create', 'replace']);
    expect(t.nft.chains()).toEqual(expected(connecting));
    // That table's counts were not ours.
    expect((await t.firewall.hitsSinceStart()).get('loopback-out')).toBe(0);
  });

  it('refuses a policy that cannot go into nft text before running anything', async () => {
    const { nft, firewall } = setup();
    await expect(firewall.apply({ ...connected, tunnelInterface: 'wg0" accept' })).rejects.toThrow(
      FirewallInputError,
    );
    await expect(firewall.apply({ ...connected, mssClamp: { 4: 9000 } })).rejects.toThrow(FirewallInputError);
    expect(nft.runner.calls).toEqual([]);
    // Nor when a grow would follow.
    await firewall.apply(connecting);
    const calls = nft.runner.calls.length;
    await expect(firewall.apply({ ...connected, dnsServers: ['10.64.0.1 accept'] })).rejects.toThrow(
      FirewallInputError,
    );
    expect(nft.runner.calls.length).toBe(calls);
    expect(firewall.inForce).toBe('connecting');
  });
});

describe('counters', () => {
  it('count on across policy changes, grows, removals and replacements, per tag', async () => {
    const { nft, firewall } = setup();
    await firewall.apply(blocked);
    nft.hit('loopback-out', 2);
    await firewall.apply(connecting);
    // The kernel's counter object is the same one: its count went on.
    expect(nft.table?.counters.get('loopback-out')?.packets).toBe(2);
    nft.hit('loopback-out');
    nft.hit('relay-out', 5);
    expect((await firewall.hitsSinceStart()).get('loopback-out')).toBe(3);
    await firewall.apply(connected);
    expect(nft.table?.counters.get('relay-out')?.packets).toBe(5);
    nft.hit('relay-out');
    nft.hit('tunnel-out-4', 2); // a rule (and counter) the grow added
    await firewall.apply(none);
    await firewall.apply(blocked);
    nft.hit('loopback-out', 4);
    const hits = await firewall.hitsSinceStart();
    expect(hits.get('loopback-out')).toBe(7);
    expect(hits.get('relay-out')).toBe(6);
    expect(hits.get('tunnel-out-4')).toBe(2);
    expect(hits.get('dns-reject-udp')).toBe(0);
  });

  it('a counter an earlier policy left in the table counts on when a grow brings its rule back', async () => {
    const { nft, firewall, since } = setup();
    await firewall.apply(connected);
    nft.hit('tunnel-out-4', 2);
    await firewall.apply(blocked); // update: the rule goes, its counter stays
    expect(nft.table?.counters.get('tunnel-out-4')?.packets).toBe(2);
    const calls = since();
    await firewall.apply(connected);
    expect(calls().map(modeOf)).toEqual(['grow']);
    expect(calls()[0]?.input).toContain('add counter inet sluice tunnel-out-4\n');
    nft.hit('tunnel-out-4');
    expect(nft.table?.counters.get('tunnel-out-4')?.packets).toBe(3);
    expect((await firewall.hitsSinceStart()).get('tunnel-out-4')).toBe(3);
  });

  it('a table left by an earlier run does not count, and its counters start again from zero', async () => {
    const nft = new FakeNft();
    await new Firewall(nft.runner).apply(blocked);
    nft.hit('loopback-out', 9);
    const firewall = new Firewall(nft.runner);
    expect(await firewall.hitsSinceStart()).toEqual(new Map());
    await firewall.apply(connecting);
    expect(nft.runner.calls.at(-1)?.input?.startsWith(REPLACE)).toBe(true);
    expect((await firewall.hitsSinceStart()).get('loopback-out')).toBe(0);
  });
});

describe('when nft fails or disagrees', () => {
  it('a table deleted under it: the grow fails, then the update, and the table is replaced in the same apply', async () => {
    const t = setup();
    await t.firewall.apply(blocked);
    t.nft.table = undefined; // someone ran `nft delete table inet sluice`
    const { modes, calls } = await applyModes(t, connecting);
    expect(modes).toEqual(['grow', 'update', 'list', 'replace']);
    expect(calls[3]?.input).toBe(firewallRuleset(connecting));
    expect(await t.firewall.verify(connecting)).toEqual([]);
    // And the one after grows again.
    expect((await applyModes(t, connected)).modes).toEqual(['grow']);
    expect(t.nft.chains()).toEqual(expected(connected));
  });

  it('a table deleted under it when the change is not a grow: the update fails, the table is replaced', async () => {
    const t = setup();
    await t.firewall.apply(connected);
    t.nft.table = undefined;
    const { modes } = await applyModes(t, blocked);
    expect(modes).toEqual(['update', 'list', 'replace']);
    expect(await t.firewall.verify(blocked)).toEqual([]);
    expect((await applyModes(t, connecting)).modes).toEqual(['grow']);
  });

  it('the grow transaction fails: the same apply changes the table in place instead', async () => {
    const t = setup();
    await t.firewall.apply(connecting);
    t.nft.hit('relay-out', 3);
    t.nft.refuseIf = (input) => transactionMode(input) === 'grow';
    const { modes } = await applyModes(t, connected);
    expect(modes).toEqual(['grow', 'update']);
    expect(t.nft.chains()).toEqual(expected(connected));
    expect(t.firewall.inForce).toBe('connected');
    expect(await t.firewall.verify(connected)).toEqual([]);
    // In place: the counts went on.
    expect((await t.firewall.hitsSinceStart()).get('relay-out')).toBe(3);
    // What the update echoed is what it tracks now: the next grow and update work from it.
    t.nft.refuseIf = undefined;
    expect((await applyModes(t, clamped)).modes).toEqual(['grow']);
    expect((await applyModes(t, blocked)).modes).toEqual(['update']);
    expect(t.nft.chains()).toEqual(expected(blocked));
  });

  it('a rule a grow places another before was deleted under it: the grow and the update fail, the replacement keeps the counts', async () => {
    const t = setup();
    await t.firewall.apply(blocked);
    t.nft.hit('loopback-out', 4);
    // blocked -> connecting inserts the relay rule before dns-reject-udp.
    const output = t.nft.table?.chains.get('output');
    output?.rules.splice(
      output.rules.findIndex((r) => r.tag === 'dns-reject-udp'),
      1,
    );
    const { modes } = await applyModes(t, connecting);
    expect(modes).toEqual(['grow', 'update', 'list', 'replace']);
    expect(t.nft.chains()).toEqual(expected(connecting));
    expect(t.nft.table?.counters.get('loopback-out')?.packets).toBe(0);
    t.nft.hit('loopback-out');
    expect((await t.firewall.hitsSinceStart()).get('loopback-out')).toBe(5);
  });

  it('a rule deleted under it before an update: the update fails as a whole, the replacement keeps the counts', async () => {
    const t = setup();
    await t.firewall.apply(connected);
    t.nft.hit('loopback-out', 4);
    t.nft.table?.chains.get('output')?.rules.pop();
    const { modes } = await applyModes(t, blocked);
    expect(modes).toEqual(['update', 'list', 'replace']);
    expect(t.nft.table?.counters.get('loopback-out')?.packets).toBe(0);
    t.nft.hit('loopback-out');
    expect((await t.firewall.hitsSinceStart()).get('loopback-out')).toBe(5);
  });

  it('when nft refuses everything, says why; the policy before is still in force; the next apply replaces', async () => {
    const { nft, firewall, since } = setup();
    await firewall.apply(blocked);
    nft.refuse = 'Could not process rule: Operation not permitted';
    const calls = since();
    const error = await firewall.apply(connecting).catch((e: unknown) => e);
    expect(calls().map(modeOf)).toEqual(['grow', 'update', 'list', 'replace']);
    expect(error).toBeInstanceOf(FirewallError);
    expect(String(error)).toMatch(
      /could not apply the connecting firewall policy: .*Operation not permitted \(after changing it in place failed: .*Operation not permitted\)/,
    );
    expect(firewall.inForce).toBe('blocked');
    expect(nft.chains()).toEqual(expected(blocked));
    nft.refuse = undefined;
    await firewall.apply(connecting);
    expect(nft.runner.calls.at(-1)?.input?.startsWith(REPLACE)).toBe(true);
  });

  it('an update echo that is not the policy is a FirewallError naming each difference', async () => {
    const { nft, firewall } = setup();
    await firewall.apply(connected);
    nft.echoFilter = (echo) =>
      echo
        .split('\n')
        .filter((line) => !line.includes('comment "dns-reject-udp"'))
        .join('\n')
        .replace(/(add chain inet sluice input .*)policy drop;/, '$1policy accept;');
    const error = await firewall.apply(blocked).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FirewallError);
    expect(String(error)).toContain(
      'chain input is type filter hook input priority 0 policy accept; expected type filter hook input priority 0 policy drop',
    );
    expect(String(error)).toMatch(
      /chain output has rules .*ndp-out, latency-probe-out, dns-reject-tcp; expected .*ndp-out, latency-probe-out, dns-reject-udp,/,
    );
    expect(firewall.inForce).toBeUndefined();
    nft.echoFilter = undefined;
    await firewall.apply(connecting);
    expect(nft.runner.calls.at(-1)?.input?.startsWith(REPLACE)).toBe(true);
    expect(firewall.inForce).toBe('connecting');
  });

  it('a grow echo without a rule it added is a FirewallError; the next apply replaces', async () => {
    const { nft, firewall, since } = setup();
    await firewall.apply(blocked);
    nft.echoFilter = (echo) =>
      echo
        .split('\n')
        .filter((line) => !line.includes('comment "relay-out"'))
        .join('\n');
    const calls = since();
    const error = await firewall.apply(connecting).catch((e: unknown) => e);
    expect(calls().map(modeOf)).toEqual(['grow']);
    expect(error).toBeInstanceOf(FirewallError);
    expect(String(error)).toContain('the kernel did not echo the rule relay-out');
    expect(firewall.inForce).toBeUndefined();
    nft.echoFilter = undefined;
    const next = since();
    await firewall.apply(connected);
    expect(next().map(modeOf)).toEqual(['list', 'replace']);
    expect(firewall.inForce).toBe('connected');
    expect(nft.chains()).toEqual(expected(connected));
  });
});

describe('verify', () => {
  it('compares the live table with a policy', async () => {
    const { nft, firewall } = setup();
    await firewall.apply(clamped);
    expect(await firewall.verify(clamped)).toEqual([]);
    expect(await firewall.verify(blocked)).toEqual([
      'chain prerouting has rules mss-in-4, mss-in-6, spoofed-tunnel-address-4, spoofed-tunnel-address-6; expected none',
      expect.stringMatching(
        /^chain input has rules loopback-in, .*, tunnel-in-6, latency-probe-in; expected loopback-in, dhcp4-in, dhcp6-in, ndp-in, latency-probe-in$/,
      ),
      expect.stringMatching(
        /^chain output has rules mss-out-4, .*; expected loopback-out, .*, dns-reject-tcp$/,
      ),
    ]);
    expect(await firewall.verify(none)).toEqual(['table inet sluice still exists']);
    const output = nft.table?.chains.get('output');
    if (output) output.rules = []; // someone flushed the chain
    expect(await firewall.verify(clamped)).toEqual([
      expect.stringMatching(/^chain output has rules none; expected mss-out-4, /),
    ]);
    await firewall.apply(none);
    expect(await firewall.verify(none)).toEqual([]);
    expect(await firewall.verify(blocked)).toEqual(['table inet sluice is missing']);
  });

  it('an nft that cannot list is an error, not "no table"', async () => {
    const runner = new RecordingRunner(() => ({ code: 1, stderr: 'Error: Operation not permitted\n' }));
    await expect(new Firewall(runner).verify(none)).rejects.toThrow(/Operation not permitted/);
    await expect(new Firewall(runner).read()).rejects.toThrow(/Operation not permitted/);
  });
});

describe('random sequences of policies', () => {
  it('one process per change, grown whenever only rules are added; the table is always the policy in force', async () => {
    const lan = { allowLan: true, bypassRanges: ['100.64.0.0/10', 'fd7a:115c:a1e0::/48'] };
    const policies: FirewallPolicy[] = [
      none,
      blocked,
      { kind: 'blocked', ...lan },
      connecting,
      { ...connecting, ...lan },
      connected,
      clamped,
      { ...clamped, ...lan },
      { ...connected, families: [4], gateways: ['10.64.0.1'] },
      { ...connected, allowLan: true, dnsServers: ['10.64.0.1', '10.64.0.9'] },
    ];
    let seed = 20240611;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const t = setup();
    let previous: FirewallPolicy | undefined;
    const seen = new Map<Mode, number>();
    for (let step = 0; step < 400; step++) {
      const policy = policies[next() % policies.length] ?? none;
      const label = `step ${step}: ${previous?.kind} -> ${policy.kind}`;
      const { modes } = await applyModes(t, policy);
      const ownTable = previous !== undefined && previous.kind !== 'none';
      if (policy.kind === 'none') expect(modes, label).toEqual(ownTable ? ['list', 'remove'] : ['remove']);
      else if (previous === undefined) expect(modes, label).toEqual(['replace']);
      else if (previous.kind === 'none') expect(modes, label).toEqual(['create']);
      else {
        const from = firewallChains(previous);
        const handles = new Map(from.map((c) => [c.name, c.rules.map(() => 1)]));
        const same = JSON.stringify(from) === JSON.stringify(firewallChains(policy));
        const grows = growRuleset(from, handles, firewallChains(policy)) !== undefined;
        expect(modes, label).toEqual(same ? [] : [grows ? 'grow' : 'update']);
      }
      for (const mode of modes) seen.set(mode, (seen.get(mode) ?? 0) + 1);
      expect(t.nft.chains(), label).toEqual(expected(policy));
      expect(await t.firewall.verify(policy)).toEqual([]);
      if (policy.kind !== 'none') t.nft.hit('loopback-out');
      previous = policy;
    }
    expect(seen.get('grow')).toBeGreaterThan(30);
    expect(seen.get('update')).toBeGreaterThan(30);
    expect(seen.get('create')).toBeGreaterThan(10);
  });
});
