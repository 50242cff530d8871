// A stateful fake of what the engine asks of `ip` (after Tailscale's fakeOS router tests): links with
// MTU, up state and addresses; policy rules per family; routes per table. Commands run as the real
// `ip` parses them, batches included, and fail where the real one fails (a missing device, a rule or
// route that exists already or not at all), so an engine that undoes the wrong thing is caught.
import type { RunResult } from '../../src/net/exec.js';

export interface FakeLink {
  mtu: number;
  up: boolean;
  addresses: Set<string>;
}

export interface IpSnapshot {
  links: Record<string, { mtu: number; up: boolean; addresses: string[] }>;
  rules: { 4: string[]; 6: string[] };
  routes: Record<string, string[]>;
}

export class IpError extends Error {}

const familyOf = (prefix: string): 4 | 6 => (prefix.includes(':') ? 6 : 4);

function normalisePrefix(prefix: string): string {
  if (prefix === 'default') return '0.0.0.0/0';
  return prefix.includes('/') ? prefix : `${prefix}/${familyOf(prefix) === 4 ? 32 : 128}`;
}

export class FakeIp {
  readonly links = new Map<string, FakeLink>();
  readonly rules: { 4: string[]; 6: string[] } = { 4: [], 6: [] };
  /** table -> "prefix dev X" */
  readonly routes = new Map<string, Set<string>>();
  /** Called after every change, for invariants that must hold at every moment. */
  onChange: () => void = () => undefined;

  constructor() {
    this.links.set('lo', { mtu: 65536, up: true, addresses: new Set(['127.0.0.1/8']) });
    this.links.set('eth0', { mtu: 1500, up: true, addresses: new Set(['198.51.100.2/24']) });
  }

  snapshot(): IpSnapshot {
    const links: IpSnapshot['links'] = {};
    for (const [name, link] of [...this.links].sort(([a], [b]) => a.localeCompare(b)))
      links[name] = { mtu: link.mtu, up: link.up, addresses: [...link.addresses].sort() };
    const routes: Record<string, string[]> = {};
    for (const [table, set] of this.routes) if (set.size > 0) routes[table] = [...set].sort();
    return { links, rules: { 4: [...this.rules[4]].sort(), 6: [...this.rules[6]].sort() }, routes };
  }

  addLink(name: string, mtu: number): void {
    if (this.links.has(name)) throw new IpError(`RTNETLINK answers: File exists`);
    this.links.set(name, { mtu, up: false, addresses: new Set() });
    this.onChange();
  }

  /** The kernel removes a link's addresses and the routes through it with it. */
  deleteLink(name: string): void {
    if (!this.links.delete(name)) throw new IpError(`Cannot find device "${name}"`);
    for (const set of this.routes.values())
      for (const route of [...set]) if (route.endsWith(` dev ${name}`)) set.delete(route);
    this.onChange();
  }

  routesIn(table: string): string[] {
    return [...(this.routes.get(table) ?? [])];
  }

  /** Run `ip` with `args` (argv without "ip"); the result as a process would give it. */
  run(args: readonly string[], input: string | undefined): RunResult {
    const flags: string[] = [];
    let rest = [...args];
    while (rest[0]?.startsWith('-')) {
      flags.push(rest[0]);
      rest = rest.slice(1);
    }
    const family: 4 | 6 | undefined = flags.includes('-6') ? 6 : flags.includes('-4') ? 4 : undefined;
    const json = flags.includes('-j');
    if (flags.includes('-batch')) {
      const lines = (input ?? '').split('\n').filter((l) => l.trim() !== '');
      const force = flags.includes('-force');
      const out: string[] = [];
      const errors: string[] = [];
      for (const [i, line] of lines.entries()) {
        try {
          const printed = this.command(line.trim().split(/\s+/), family, json);
          if (printed !== undefined) out.push(printed);
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error), `Command failed -:${i + 1}`);
          if (!force) break;
        }
      }
      return {
        stdout: out.map((l) => `${l}\n`).join(''),
        stderr: errors.join('\n'),
        code: errors.length ? 1 : 0,
      };
    }
    try {
      const printed = this.command(rest, family, json);
      return { stdout: printed === undefined ? '' : `${printed}\n`, stderr: '', code: 0 };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { stdout: '', stderr: message, code: message.startsWith('Device') ? 1 : 2 };
    }
  }

  private command(words: string[], family: 4 | 6 | undefined, json: boolean): string | undefined {
    const [object, verb, ...rest] = words;
    switch (object) {
      case 'link':
        return this.link(verb, rest, json);
      case 'address':
        return this.address(verb, rest);
      case 'rule':
        return this.rule(verb, rest, family ?? 4, json);
      case 'route':
        return this.route(verb, rest, family, json);
      default:
        throw new IpError(`Object "${object ?? ''}" is unknown, try "ip help".`);
    }
  }

  private device(name: string | undefined): FakeLink {
    const link = name === undefined ? undefined : this.links.get(name);
    if (!link) throw new IpError(`Cannot find device "${name ?? ''}"`);
    return link;
  }

  private link(verb: string | undefined, rest: string[], json: boolean): string | undefined {
    const devAt = rest.indexOf('dev');
    const name = devAt >= 0 ? rest[devAt + 1] : rest[0];
    if (verb === 'show') {
      if (name === undefined) {
        const all = [...this.links].map(([ifname, l]) => ({ ifname, mtu: l.mtu, flags: l.up ? ['UP'] : [] }));
        return json ? JSON.stringify(all) : all.map((l) => `${l.ifname}: mtu ${l.mtu}`).join('\n');
      }
      if (!this.links.has(name)) throw new IpError(`Device "${name}" does not exist.`);
      const link = this.device(name);
      return json ? JSON.stringify([{ ifname: name, mtu: link.mtu }]) : `${name}: mtu ${link.mtu}`;
    }
    if (verb === 'delete' || verb === 'del') {
      this.device(name);
      this.deleteLink(name ?? '');
      return undefined;
    }
    if (verb === 'set') {
      const link = this.device(name);
      if (rest.includes('mtu')) link.mtu = Number(rest[rest.indexOf('mtu') + 1]);
      if (rest.includes('up')) link.up = true;
      if (rest.includes('down')) link.up = false;
      this.onChange();
      return undefined;
    }
    throw new IpError(`link ${verb ?? ''}: not faked`);
  }

  private address(verb: string | undefined, rest: string[]): undefined {
    const [address] = rest;
    const link = this.device(rest[rest.indexOf('dev') + 1]);
    if (address === undefined) throw new IpError('no address');
    if (verb === 'add') {
      if (link.addresses.has(address)) throw new IpError('Error: ipv4: Address already assigned.');
      link.addresses.add(address);
    } else if (verb === 'del') {
      if (!link.addresses.delete(address)) throw new IpError('Error: ipv4: Address not found.');
    } else throw new IpError(`address ${verb ?? ''}: not faked`);
    this.onChange();
    return undefined;
  }

  private rule(verb: string | undefined, rest: string[], family: 4 | 6, json: boolean): string | undefined {
    const rules = this.rules[family];
    if (verb === 'show') {
      const shown = rules.map((selector) => {
        const at = selector.split(' ').indexOf('priority');
        return { priority: Number(selector.split(' ')[at + 1]), src: 'all' };
      });
      return json ? JSON.stringify(shown) : rules.join('\n');
    }
    // The real `ip rule` takes IPv4 unless told -6, and refuses an IPv6 prefix without it.
    const to = rest.indexOf('to');
    if (to >= 0 && familyOf(rest[to + 1] ?? '') !== family) throw new IpError('Error: Invalid dst address.');
    const selector = rest.join(' ');
    if (verb === 'add') {
      if (rules.includes(selector)) throw new IpError('RTNETLINK answers: File exists');
      rules.push(selector);
    } else if (verb === 'del') {
      const at =
        rest[0] === 'priority' && rest.length === 2
          ? rules.findIndex((r) => r.endsWith(`priority ${rest[1] ?? ''}`))
          : rules.indexOf(selector);
      if (at < 0) throw new IpError('RTNETLINK answers: No such file or directory');
      rules.splice(at, 1);
    } else throw new IpError(`rule ${verb ?? ''}: not faked`);
    this.onChange();
    return undefined;
  }

  private route(
    verb: string | undefined,
    rest: string[],
    family: 4 | 6 | undefined,
    json: boolean,
  ): string | undefined {
    if (verb === 'get') {
      const dst = rest[0] ?? '';
      const out = { dst, dev: 'eth0' };
      return json ? JSON.stringify([out]) : `${dst} dev eth0`;
    }
    const tableAt = rest.indexOf('table');
    const table = tableAt >= 0 ? (rest[tableAt + 1] ?? 'main') : 'main';
    if (verb === 'flush') {
      const set = this.routes.get(table);
      if (!set) throw new IpError('Error: argument "table" is wrong');
      for (const route of [...set])
        if (family === undefined || familyOf(route.split(' ')[0] ?? '') === family) set.delete(route);
      this.onChange();
      return undefined;
    }
    const prefix = normalisePrefix(rest[0] ?? '');
    if (family !== undefined && familyOf(prefix) !== family)
      throw new IpError('Error: inet prefix is expected');
    const dev = rest[rest.indexOf('dev') + 1];
    const link = this.device(dev);
    const route = `${prefix} dev ${dev ?? ''}`;
    const set = this.routes.get(table) ?? new Set<string>();
    this.routes.set(table, set);
    if (verb === 'add') {
      if (!link.up) throw new IpError('Error: Device for nexthop is not up.');
      if (set.has(route)) throw new IpError('RTNETLINK answers: File exists');
      set.add(route);
    } else if (verb === 'del') {
      if (!set.delete(route)) throw new IpError('RTNETLINK answers: No such process');
    } else throw new IpError(`route ${verb ?? ''}: not faked`);
    this.onChange();
    return undefined;
  }
}
