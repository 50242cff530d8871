// Applying the kill switch: one `nft -f -` transaction per policy, then the table is read back and
// compared with what was asked for; a mismatch is an error (the caller then blocks or reports it).
import type { Runner } from './exec.js';
import { FIREWALL_TABLE, firewallRuleset, type FirewallPolicy } from './firewall-rules.js';

export interface ListedChain {
  hook: string;
  policy: string;
  rules: number;
}

export interface ListedTable {
  comment: string;
  chains: Record<string, ListedChain>;
}

export class FirewallError extends Error {
  override readonly name = 'FirewallError';
}

/** Parse `nft list table inet sluice` text (or the ruleset we generate: same shape) into chains. */
export function parseTableText(text: string): ListedTable | undefined {
  const body = text.slice(text.lastIndexOf(`table inet ${FIREWALL_TABLE} {`));
  if (!body.startsWith(`table inet ${FIREWALL_TABLE} {`)) return undefined;
  const table: ListedTable = { comment: '', chains: {} };
  let chain: ListedChain | undefined;
  for (const raw of body.split('\n').slice(1)) {
    const line = raw.trim();
    const comment = /^comment "(.*)"$/.exec(line);
    const chainStart = /^chain (\S+) \{$/.exec(line);
    const header = /^type filter hook (\S+) priority \S+; policy (\S+);$/.exec(line);
    if (comment && !chain) table.comment = comment[1] ?? '';
    else if (chainStart?.[1]) table.chains[chainStart[1]] = chain = { hook: '', policy: '', rules: 0 };
    else if (header && chain) {
      chain.hook = header[1] ?? '';
      chain.policy = header[2] ?? '';
    } else if (line === '}') chain = undefined;
    else if (chain && line !== '') chain.rules++;
  }
  return table;
}

/** Differences between what was asked for and what the kernel has; empty when they agree. */
export function compareTables(expected: ListedTable, actual: ListedTable | undefined): string[] {
  if (!actual) return [`table inet ${FIREWALL_TABLE} is missing`];
  const problems: string[] = [];
  if (actual.comment !== expected.comment)
    problems.push(`policy is "${actual.comment}", expected "${expected.comment}"`);
  for (const [name, want] of Object.entries(expected.chains)) {
    const got = actual.chains[name];
    if (!got) problems.push(`chain ${name} is missing`);
    else if (got.hook !== want.hook || got.policy !== want.policy || got.rules !== want.rules) {
      problems.push(
        `chain ${name} has hook ${got.hook}, policy ${got.policy}, ${got.rules} rules; expected ${want.hook}, ${want.policy}, ${want.rules}`,
      );
    }
  }
  for (const name of Object.keys(actual.chains))
    if (!(name in expected.chains)) problems.push(`unexpected chain ${name}`);
  return problems;
}

export class Firewall {
  private appliedKind: FirewallPolicy['kind'] | undefined;
  /** Counts of tables this helper replaced, added up (replacing a table resets its counters). */
  private readonly pastHits = new Map<string, number>();

  constructor(private readonly runner: Runner) {}

  /** Packets per rule tag since this helper started, across every policy it applied. */
  async hitsSinceStart(): Promise<Map<string, number>> {
    const hits = new Map(this.pastHits);
    for (const [tag, packets] of await this.liveHits()) hits.set(tag, (hits.get(tag) ?? 0) + packets);
    return hits;
  }

  private async liveHits(): Promise<Map<string, number>> {
    const result = await this.runner.run(['nft', 'list', 'table', 'inet', FIREWALL_TABLE], { okCodes: [1] });
    return result.code === 0 ? ruleHits(result.stdout) : new Map();
  }

  /** The live table, or undefined when there is none. */
  async read(): Promise<ListedTable | undefined> {
    const result = await this.runner.run(['nft', 'list', 'table', 'inet', FIREWALL_TABLE], { okCodes: [1] });
    return result.code === 0 ? parseTableText(result.stdout) : undefined;
  }

  /** Make the table exactly `policy` in one transaction, and check the kernel agrees. */
  async apply(policy: FirewallPolicy): Promise<void> {
    const ruleset = firewallRuleset(policy);
    // Only a table this helper made counts: one left by an earlier run has its own history.
    if (this.appliedKind !== undefined) {
      for (const [tag, packets] of await this.liveHits().catch(() => new Map<string, number>())) {
        this.pastHits.set(tag, (this.pastHits.get(tag) ?? 0) + packets);
      }
    }

    try {
      await this.runner.run(['nft', '-f', '-'], { input: ruleset });
    } catch (error) {
      throw new FirewallError(
        `could not apply the ${policy.kind} firewall policy: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this.appliedKind = policy.kind;
    const problems = await this.verify(policy);
    if (problems.length > 0)
      throw new FirewallError(`the firewall is not what was applied: ${problems.join('; ')}`);
  }

  /** Compare the live table with `policy`; empty when they agree. */
  async verify(policy: FirewallPolicy): Promise<string[]> {
    const actual = await this.read();
    if (policy.kind === 'none') return actual ? [`table inet ${FIREWALL_TABLE} still exists`] : [];
    const expected = parseTableText(firewallRuleset(policy));
    if (!expected) throw new Error('the generated ruleset does not parse');
    return compareTables(expected, actual);
  }
}

/** Packets counted per rule tag in a listed table (`counter packets N ... comment "tag"`). */
export function ruleHits(text: string): Map<string, number> {
  const hits = new Map<string, number>();
  for (const match of text.matchAll(/counter packets (\d+) bytes \d+ .*comment "([^"]+)"/g)) {
    const [, packets, tag] = match;
    if (tag !== undefined) hits.set(tag, (hits.get(tag) ?? 0) + Number(packets));
  }
  return hits;
}

/** Every rule tag in a ruleset we generate. */
export function ruleTags(ruleset: string): string[] {
  return [...ruleset.matchAll(/ counter .* comment "([^"]+)"$/gm)].map((match) => match[1] ?? '');
}
