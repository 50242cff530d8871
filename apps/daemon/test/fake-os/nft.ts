// A stateful fake of nft, as far as the kill switch uses it: one transaction per `nft -f -` (all of
// it or nothing), the table's chains, rules and named counters, the echo of what was committed
// (`-e -a`), and listing counters. It reads the ruleset text the real Firewall writes, so the engine's
// tests run the real Firewall against it and see which policy is in force at every moment.
import type { RunResult } from '../../src/net/exec.js';
import type { FirewallView } from './device.js';

interface FakeRule {
  handle: number;
  text: string;
}

interface FakeChain {
  /** `type filter hook output priority filter; policy drop;`, or '' for a regular chain. */
  header: string;
  rules: FakeRule[];
}

interface FakeTable {
  chains: Map<string, FakeChain>;
  counters: Map<string, number>;
}

class NftError extends Error {}

const TABLE = 'inet sluice';

export class FakeNft implements FirewallView {
  table: FakeTable | undefined;
  private generation = 1;
  /** Handles grow across transactions, as the kernel's do. */
  private nextHandle = 1;
  /** The next `nft -f` fails (once), as when the kernel refuses a ruleset. */
  failNext = false;
  /** Called after every committed transaction. */
  onChange: () => void = () => undefined;

  /** The policy in force, told by its rules: the tunnel's, the relay's, or neither (blocked). */
  get kind(): string {
    if (!this.table) return 'none';
    if (this.rulesTagged('tunnel-out-').length > 0) return 'connected';
    if (this.rulesTagged('relay-out').length > 0) return 'connecting';
    return 'blocked';
  }

  /** Every rule's text, chain by chain. */
  ruleTexts(): string[] {
    return [...(this.table?.chains.values() ?? [])].flatMap((chain) => chain.rules.map((r) => r.text));
  }

  private rulesTagged(prefix: string): string[] {
    return this.ruleTexts().filter((rule) => rule.includes(`comment "${prefix}`));
  }

  relayAllowed(): string | undefined {
    const [relayOut] = this.rulesTagged('relay-out');
    const match = relayOut === undefined ? null : /daddr (\S+) udp dport (\d+)/.exec(relayOut);
    if (!match) return undefined;
    const [, address = '', port = ''] = match;
    return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  }

  tunnelAllowed(interfaceName: string, target: string): boolean {
    const family = target.includes(':') ? 6 : 4;
    if (this.rulesTagged(`tunnel-out-${family}`).some((r) => r.includes(`oifname "${interfaceName}"`)))
      return true;
    return this.rulesTagged(`gateway-ping-${family}`).some(
      (r) => r.includes(`oifname "${interfaceName}"`) && r.includes(target),
    );
  }

  /** Every counter's packets, as `nft -j list counters` would give them. */
  bump(tag: string, packets = 1): void {
    const counters = this.table?.counters;
    if (counters?.has(tag)) counters.set(tag, (counters.get(tag) ?? 0) + packets);
  }

  run(args: readonly string[], input: string | undefined): RunResult {
    const words = args.filter((a) => !['-e', '-a', '-j', '--echo', '--handle', '--json'].includes(a));
    const json = args.includes('-j');
    if (words[0] === '--version') return { stdout: 'nftables v1.0.6 (fake)\n', stderr: '', code: 0 };
    if (words[0] === '-f') {
      if (this.failNext) {
        this.failNext = false;
        return { stdout: '', stderr: 'Error: Could not process rule: Operation not permitted', code: 1 };
      }
      try {
        return { stdout: this.transaction(input ?? ''), stderr: '', code: 0 };
      } catch (error) {
        return {
          stdout: '',
          stderr: `Error: ${error instanceof Error ? error.message : String(error)}`,
          code: 1,
        };
      }
    }
    if (words[0] === 'list' && words[1] === 'counters') {
      if (!this.table) return { stdout: '', stderr: 'Error: No such file or directory', code: 1 };
      const counters = [...this.table.counters].map(([name, packets]) => ({
        counter: { family: 'inet', name, table: 'sluice', handle: 1, packets, bytes: packets * 100 },
      }));
      return {
        stdout: JSON.stringify({ nftables: [{ metainfo: { version: '1.0.6' } }, ...counters] }),
        stderr: '',
        code: 0,
      };
    }
    if (words[0] === 'list' && (words[1] === 'table' || words[1] === 'ruleset')) {
      if (!this.table)
        return words[1] === 'ruleset'
          ? ok('')
          : { stdout: '', stderr: 'Error: No such file or directory', code: 1 };
      return ok(json ? this.listJson() : this.listText());
    }
    return { stdout: '', stderr: `fake nft: ${args.join(' ')} is not faked`, code: 1 };
  }

  private listText(): string {
    const lines = [`table ${TABLE} {`];
    for (const [name, packets] of this.table?.counters ?? [])
      lines.push(`\tcounter ${name} {`, `\t\tpackets ${packets} bytes 0`, '\t}');
    for (const [name, chain] of this.table?.chains ?? []) {
      lines.push(`\tchain ${name} {`);
      if (chain.header) lines.push(`\t\t${chain.header}`);
      for (const rule of chain.rules) lines.push(`\t\t${rule.text} # handle ${rule.handle}`);
      lines.push('\t}');
    }
    lines.push('}');
    return lines.join('\n') + '\n';
  }

  private listJson(): string {
    const items: unknown[] = [
      { metainfo: { version: '1.0.6' } },
      { table: { family: 'inet', name: 'sluice', handle: 1 } },
    ];
    for (const [name, chain] of this.table?.chains ?? []) {
      const header = /type (\S+) hook (\S+) priority ([^;]+); policy (\S+);/.exec(chain.header);
      items.push({
        chain: {
          family: 'inet',
          table: 'sluice',
          name,
          handle: 1,
          ...(header ? { type: header[1], hook: header[2], prio: header[3], policy: header[4] } : {}),
        },
      });
      for (const rule of chain.rules) {
        const comment = / comment "([^"]*)"/.exec(rule.text)?.[1];
        items.push({
          rule: {
            family: 'inet',
            table: 'sluice',
            chain: name,
            handle: rule.handle,
            ...(comment ? { comment } : {}),
            expr: [],
          },
        });
      }
    }
    return JSON.stringify({ nftables: items });
  }

  /** Apply a whole `nft -f` input to a copy; commit only when every command worked. */
  private transaction(text: string): string {
    let table = this.table && cloneTable(this.table);
    const echo: string[] = [];
    let handle = this.nextHandle;
    const lines = text.split('\n').map((l) => l.trim());
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (line === '' || line.startsWith('#')) continue;
      if (line === `table ${TABLE}`) {
        if (!table) echo.push(`add table ${TABLE} # handle ${handle++}`);
        table ??= { chains: new Map(), counters: new Map() };
      } else if (line === `create table ${TABLE}`) {
        if (table) throw new NftError('Could not process rule: File exists');
        table = { chains: new Map(), counters: new Map() };
        echo.push(`add table ${TABLE} # handle ${handle++}`);
      } else if (line === `delete table ${TABLE}`) {
        if (!table) throw new NftError('Could not process rule: No such file or directory');
        table = undefined;
        echo.push(`delete table ${TABLE}`);
      } else if (line === `flush table ${TABLE}`) {
        if (!table) throw new NftError('Could not process rule: No such file or directory');
        for (const chain of table.chains.values()) chain.rules = [];
      } else if (line.startsWith(`delete chain ${TABLE} `)) {
        const name = line.slice(`delete chain ${TABLE} `.length);
        if (!table?.chains.delete(name))
          throw new NftError('Could not process rule: No such file or directory');
      } else if (line.startsWith(`add counter ${TABLE} `)) {
        const name = line.slice(`add counter ${TABLE} `.length);
        if (!table) throw new NftError('Could not process rule: No such file or directory');
        if (!table.counters.has(name)) {
          table.counters.set(name, 0);
          echo.push(`add counter ${TABLE} ${name} { # handle ${handle++} packets 0 bytes 0 } `);
        }
      } else if (/^delete rule inet sluice \S+ handle \d+$/.test(line)) {
        const [, , , , chainName = '', , at = ''] = line.split(' ');
        const chain = table?.chains.get(chainName);
        const index = chain?.rules.findIndex((r) => r.handle === Number(at)) ?? -1;
        if (!chain || index < 0) throw new NftError('Could not process rule: No such file or directory');
        chain.rules.splice(index, 1);
      } else if (/^(add|insert) rule inet sluice /.test(line)) {
        const match = /^(add|insert) rule inet sluice (\S+) (?:position (\d+) )?(.*)$/.exec(line);
        const [, verb, chainName = '', position, text = ''] = match ?? [];
        const chain = table?.chains.get(chainName);
        if (!table || !chain) throw new NftError('Could not process rule: No such file or directory');
        checkCounters(table, text);
        const rule = { handle: handle++, text };
        if (position === undefined) {
          if (verb === 'add') chain.rules.push(rule);
          else chain.rules.unshift(rule);
        } else {
          const at = chain.rules.findIndex((r) => r.handle === Number(position));
          if (at < 0) throw new NftError('Could not process rule: No such file or directory');
          chain.rules.splice(verb === 'add' ? at + 1 : at, 0, rule);
        }
        echo.push(`${verb ?? 'add'} rule ${TABLE} ${chainName} ${text} # handle ${rule.handle}`);
      } else if (line === `table ${TABLE} {`) {
        if (!table) echo.push(`add table ${TABLE} # handle ${handle++}`);
        table ??= { chains: new Map(), counters: new Map() };
        i = this.block(lines, i + 1, table, echo, () => handle++);
      } else throw new NftError(`syntax error in fake nft: ${line}`);
    }
    this.table = table;
    this.nextHandle = handle;
    echo.push(`# new generation ${++this.generation} by process 4242 (nft)`);
    this.onChange();
    return echo.join('\n') + '\n';
  }

  /** The inside of `table inet sluice { … }` from line `start`; returns the index of its `}`. */
  private block(
    lines: string[],
    start: number,
    table: FakeTable,
    echo: string[],
    nextHandle: () => number,
  ): number {
    let chain: { name: string; body: FakeChain } | undefined;
    for (let i = start; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (line === '' || line.startsWith('comment ')) continue;
      if (chain) {
        if (line === '}') {
          const existing = table.chains.get(chain.name);
          if (
            existing &&
            chain.body.header &&
            existing.header &&
            !sameHook(existing.header, chain.body.header)
          )
            throw new NftError(`Could not process rule: Device or resource busy (chain ${chain.name})`);
          const header = chain.body.header ? ` { ${chain.body.header} }` : '';
          echo.push(`add chain ${TABLE} ${chain.name}${header} # handle ${nextHandle()}`);
          for (const rule of chain.body.rules) {
            checkCounters(table, rule.text);
            rule.handle = nextHandle();
            echo.push(`add rule ${TABLE} ${chain.name} ${rule.text} # handle ${rule.handle}`);
          }
          if (existing) {
            existing.header = chain.body.header || existing.header;
            existing.rules.push(...chain.body.rules);
          } else table.chains.set(chain.name, chain.body);
          chain = undefined;
        } else if (/^type \S+ hook \S+ priority [^;]+; policy \S+;$/.test(line)) chain.body.header = line;
        else chain.body.rules.push({ handle: 0, text: line });
        continue;
      }
      if (line === '}') return i;
      const counter = /^counter (\S+) \{\s*\}$/.exec(line);
      const chainStart = /^chain (\S+) \{(\s*\})?$/.exec(line);
      if (counter?.[1]) {
        if (!table.counters.has(counter[1])) {
          table.counters.set(counter[1], 0);
          echo.push(`add counter ${TABLE} ${counter[1]} { # handle ${nextHandle()} packets 0 bytes 0 } `);
        }
      } else if (chainStart?.[1]) {
        if (chainStart[2]) {
          if (!table.chains.has(chainStart[1])) table.chains.set(chainStart[1], { header: '', rules: [] });
          echo.push(`add chain ${TABLE} ${chainStart[1]} # handle ${nextHandle()}`);
        } else chain = { name: chainStart[1], body: { header: '', rules: [] } };
      } else throw new NftError(`syntax error in fake nft table block: ${line}`);
    }
    throw new NftError('syntax error, unexpected end of file');
  }
}

const ok = (stdout: string): RunResult => ({ stdout, stderr: '', code: 0 });

function sameHook(a: string, b: string): boolean {
  const hook = (h: string) => h.replace(/ policy \S+;$/, '');
  return hook(a) === hook(b);
}

function checkCounters(table: FakeTable, rule: string): void {
  for (const name of rule.matchAll(/counter name "([^"]+)"/g))
    if (!table.counters.has(name[1] ?? ''))
      throw new NftError(`Could not process rule: No such file or directory (counter ${name[1] ?? ''})`);
}

function cloneTable(table: FakeTable): FakeTable {
  return {
    chains: new Map(
      [...table.chains].map(([name, c]) => [
        name,
        { header: c.header, rules: c.rules.map((r) => ({ ...r })) },
      ]),
    ),
    counters: new Map(table.counters),
  };
}
