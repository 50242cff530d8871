// Reading the kill switch back from the kernel, as pure functions over nft's output: the echo of a
// committed transaction (`nft -e -a -f -`), `nft -j list table`, and `nft -j list counters`. All of
// them become the same chain shape, compared with the chains that were asked for.
import { FIREWALL_TABLE, priorityValue, type CommittedChain, type FirewallChain } from './firewall-rules.js';

/** A chain as the kernel has it. Type, hook, priority and policy are absent for a regular chain. */
export interface ListedChain extends CommittedChain {
  policy?: string;
  /** The tag (comment) of each rule, in order; '' for a rule without one. */
  tags: string[];
}

function listedChain(chains: Map<string, ListedChain>, name: string): ListedChain {
  let chain = chains.get(name);
  if (!chain) chains.set(name, (chain = { name, tags: [], handles: [] }));
  return chain;
}

const quoted = (text: string): RegExp => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

/**
 * The chains in the echo of a committed transaction, e.g.
 * `add chain inet sluice output { type filter hook output priority filter; policy drop; } # handle 3`,
 * `add chain inet sluice policy_blocked # handle 5` and
 * `add rule inet sluice output handle 32 udp sport 68 ... comment "dhcp4-out" # handle 33`
 * (the `handle 32` after the chain name is where nft put the rule; the last one is the rule's own).
 * Only what the transaction added is echoed, and nothing it deleted.
 */
export function parseEcho(text: string, table = FIREWALL_TABLE): ListedChain[] {
  const prefix = quoted(`inet ${table} `).source;
  const baseChain = new RegExp(
    `^add chain ${prefix}(\\S+) \\{ type (\\S+) hook (\\S+) priority ([^;]+); policy (\\S+); \\} # handle \\d+$`,
  );
  const regularChain = new RegExp(`^add chain ${prefix}(\\S+) # handle \\d+$`);
  // Grow transactions echo `insert rule inet sluice output … # handle 7` for rules placed before another.
  const rule = new RegExp(`^(?:add|insert) rule ${prefix}(\\S+) (?:handle \\d+ )?(.*) # handle (\\d+)$`);
  const chains = new Map<string, ListedChain>();
  for (const line of text.split('\n')) {
    const base = baseChain.exec(line);
    const regular = regularChain.exec(line);
    const added = rule.exec(line);
    if (base) {
      const [, name = '', type, hook, priority = '', policy] = base;
      const chain = listedChain(chains, name);
      chain.type = type;
      chain.hook = hook;
      chain.priority = priorityValue(priority);
      chain.policy = policy;
    } else if (regular) {
      listedChain(chains, regular[1] ?? '');
    } else if (added) {
      const [, name = '', body = '', handle] = added;
      const chain = listedChain(chains, name);
      chain.tags.push(/(?:^| )comment "([^"]*)"$/.exec(body)?.[1] ?? '');
      chain.handles.push(Number(handle));
    }
  }
  return [...chains.values()];
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const integer = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;

/** The objects of `nft -j` output, each as `{ kind, body }` (e.g. kind 'chain'). */
function nftObjects(json: string): { kind: string; body: JsonObject }[] {
  const parsed: unknown = JSON.parse(json);
  const list: unknown = isObject(parsed) ? parsed.nftables : undefined;
  if (!Array.isArray(list)) throw new SyntaxError('not nft JSON output: no "nftables" list');
  const items: unknown[] = list;
  return items
    .filter(isObject)
    .flatMap((item) =>
      Object.entries(item).flatMap(([kind, body]) => (isObject(body) ? [{ kind, body }] : [])),
    );
}

/** The chains of `nft -j list table inet sluice`, each rule's tag taken from its comment. */
export function parseTableJson(json: string, table = FIREWALL_TABLE): ListedChain[] {
  const chains = new Map<string, ListedChain>();
  for (const { kind, body } of nftObjects(json)) {
    if (body.family !== 'inet' || body.table !== table) continue;
    if (kind === 'chain') {
      const chain = listedChain(chains, text(body.name) ?? '');
      if (body.hook !== undefined) {
        chain.type = text(body.type);
        chain.hook = text(body.hook) ?? '?';
        chain.priority = integer(body.prio);
        chain.policy = text(body.policy);
      }
    } else if (kind === 'rule') {
      const chain = listedChain(chains, text(body.chain) ?? '');
      chain.tags.push(text(body.comment) ?? '');
      chain.handles.push(integer(body.handle) ?? 0);
    }
  }
  return [...chains.values()];
}

/** Packets per named counter in `nft -j list counters table inet sluice`. */
export function parseCountersJson(json: string, table = FIREWALL_TABLE): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { kind, body } of nftObjects(json)) {
    const name = text(body.name);
    const packets = integer(body.packets);
    if (kind !== 'counter' || body.table !== table || name === undefined || packets === undefined) continue;
    counts.set(name, packets);
  }
  return counts;
}

function shape(chain: FirewallChain | ListedChain): string {
  if (chain.hook === undefined) return 'a regular chain';
  const priority = typeof chain.priority === 'string' ? priorityValue(chain.priority) : chain.priority;
  return `type ${chain.type ?? '?'} hook ${chain.hook} priority ${priority ?? '?'} policy ${chain.policy ?? '?'}`;
}

const tagList = (tags: readonly string[]): string => (tags.length === 0 ? 'none' : tags.join(', '));

/** Differences between the chains asked for and the chains the kernel has; empty when they agree. */
export function compareChains(
  expected: readonly FirewallChain[],
  actual: readonly ListedChain[] | undefined,
): string[] {
  if (!actual) return [`table inet ${FIREWALL_TABLE} is missing`];
  const problems: string[] = [];
  for (const want of expected) {
    const got = actual.find((chain) => chain.name === want.name);
    if (!got) {
      problems.push(`chain ${want.name} is missing`);
      continue;
    }
    const [wanted, found] = [shape(want), shape(got)];
    if (found !== wanted) problems.push(`chain ${want.name} is ${found}; expected ${wanted}`);
    const tags = want.rules.map((r) => r.tag);
    if (tags.join() !== got.tags.join())
      problems.push(`chain ${want.name} has rules ${tagList(got.tags)}; expected ${tagList(tags)}`);
  }
  for (const chain of actual)
    if (!expected.some((want) => want.name === chain.name)) problems.push(`unexpected chain ${chain.name}`);
  return problems;
}
