// Applying the kill switch: one `nft` process per policy change. The first apply (and any after a
// failure) replaces the table; later ones change it in place, so its named counters keep counting
// across policies. nft echoes what the kernel committed (`-e -a`), and the echo is compared with what
// was asked for; a mismatch is an error (the caller then blocks or reports it).
import { CommandError, type Runner, type RunResult } from './exec.js';
import {
  FIREWALL_TABLE,
  createRuleset,
  firewallChains,
  growRuleset,
  keptRules,
  removeRuleset,
  replaceRuleset,
  updateRuleset,
  type FirewallChain,
  type FirewallPolicy,
} from './firewall-rules.js';
import {
  compareChains,
  parseCountersJson,
  parseEcho,
  parseTableJson,
  type ListedChain,
} from './firewall-readback.js';

export class FirewallError extends Error {
  override readonly name = 'FirewallError';
}

const APPLY = ['nft', '-e', '-a', '-f', '-'];
const LIST_TABLE = ['nft', '-j', 'list', 'table', 'inet', FIREWALL_TABLE];
const LIST_COUNTERS = ['nft', '-j', 'list', 'counters', 'table', 'inet', FIREWALL_TABLE];

const why = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class Firewall {
  private kind: FirewallPolicy['kind'] | undefined;
  /** The table as the kernel echoed this helper's last commit; undefined means replace next time. */
  private live: ListedChain[] | undefined;
  /** The chains of that commit as they were asked for (rule for rule, in the order of `live`). */
  private applied: FirewallChain[] | undefined;
  /** The live table's counters started at zero in this helper (it made the table). */
  private countsOwnTable = false;
  /** Counts of tables this helper removed or replaced, added up. */
  private readonly pastHits = new Map<string, number>();

  constructor(private readonly runner: Runner) {}

  /** The kind of the last policy applied successfully, or undefined when unknown. */
  get inForce(): FirewallPolicy['kind'] | undefined {
    return this.kind;
  }

  /**
   * Forget what the table holds, so the next policy replaces it whole even when its text is the same:
   * nft resolves a cgroup path when a rule loads, so a re-made cgroup needs its rules loaded again.
   */
  forget(): void {
    this.live = undefined;
    this.applied = undefined;
  }

  /** Packets per rule tag since this helper started, across every policy it applied. */
  async hitsSinceStart(): Promise<Map<string, number>> {
    const hits = new Map(this.pastHits);
    if (this.countsOwnTable) addInto(hits, await this.liveCounts());
    return hits;
  }

  /** Make the table exactly `policy` in one transaction, and check the kernel agrees. */
  async apply(policy: FirewallPolicy): Promise<void> {
    if (policy.kind === 'none') {
      await this.remove();
      return;
    }
    // Rendering validates every value, before anything runs.
    const chains = firewallChains(policy);
    // Exactly what is in force already: nothing to do (a transaction would only delete and re-add).
    if (this.applied && sameChains(this.applied, chains)) {
      this.kind = policy.kind;
      return;
    }
    if (await this.grow(chains)) {
      this.kind = policy.kind;
      return;
    }
    const replace = replaceRuleset(chains);
    const update = this.live && updateRuleset(this.live, chains);
    const noTable = this.kind === 'none';
    this.live = undefined;
    this.applied = undefined;
    let echo: string | undefined;
    let updateFailure = '';
    if (noTable) {
      try {
        echo = (await this.runner.run(APPLY, { input: createRuleset(chains) })).stdout;
        this.countsOwnTable = true;
      } catch {
        // A table appeared after all (someone else made one): replace it.
      }
    }
    if (echo === undefined && update !== undefined) {
      try {
        echo = (await this.runner.run(APPLY, { input: update })).stdout;
      } catch (error) {
        // Someone changed the table under us (or deleted it): replace it instead, once.
        updateFailure = ` (after changing it in place failed: ${why(error)})`;
      }
    }
    echo ??= await this.replace(replace, policy.kind, updateFailure);
    const committed = parseEcho(echo);
    const problems = compareChains(chains, committed);
    if (problems.length > 0) {
      // Something went in, but not this policy.
      this.kind = undefined;
      throw new FirewallError(`the firewall is not what was applied: ${problems.join('; ')}`);
    }
    this.live = committed;
    this.applied = chains;
    this.kind = policy.kind;
  }

  /**
   * Apply `chains` by adding rules only, when they only add to what is in force (much cheaper in the
   * kernel than any deletion). False when they do not, or when the transaction failed (the caller then
   * changes the table the general way).
   */
  private async grow(chains: FirewallChain[]): Promise<boolean> {
    const { live, applied } = this;
    if (!live || !applied) return false;
    const handles = new Map(live.map((chain) => [chain.name, chain.handles]));
    const text = growRuleset(applied, handles, chains);
    if (text === undefined) return false;
    let echo: string;
    try {
      echo = (await this.runner.run(APPLY, { input: text })).stdout;
    } catch {
      return false;
    }
    // The echo has the added rules with their handles; the kept ones keep theirs.
    const added = new Map<string, number>();
    for (const chain of parseEcho(echo))
      chain.tags.forEach((tag, i) => added.set(`${chain.name} ${tag}`, chain.handles[i] ?? 0));
    const next: ListedChain[] = [];
    for (const chain of chains) {
      const old = applied.find((c) => c.name === chain.name);
      const oldLive = live.find((c) => c.name === chain.name);
      const kept = old && keptRules(old.rules, chain.rules);
      if (!oldLive || !kept) return this.lost('the rules added in place did not line up');
      const grown: ListedChain = { ...oldLive, tags: [], handles: [] };
      for (const [i, r] of chain.rules.entries()) {
        const keptAt = kept[i];
        const handle = keptAt === undefined ? added.get(`${chain.name} ${r.tag}`) : oldLive.handles[keptAt];
        if (handle === undefined) return this.lost(`the kernel did not echo the rule ${r.tag}`);
        grown.tags.push(r.tag);
        grown.handles.push(handle);
      }
      next.push(grown);
    }
    this.live = next;
    this.applied = chains;
    return true;
  }

  /** What is in force is no longer known: the next change replaces the table. */
  private lost(reason: string): never {
    this.kind = undefined;
    this.live = undefined;
    this.applied = undefined;
    throw new FirewallError(`the firewall is not what was applied: ${reason}`);
  }

  /** Replace whatever table there is; the counts of our own table are kept in the totals. */
  private async replace(ruleset: string, kind: string, updateFailure: string): Promise<string> {
    // Not awaited when there is nothing to read, so the transaction starts at once.
    const carried = this.countsOwnTable ? await this.carriedCounts() : new Map<string, number>();
    let result: RunResult;
    try {
      result = await this.runner.run(APPLY, { input: ruleset });
    } catch (error) {
      throw new FirewallError(`could not apply the ${kind} firewall policy: ${why(error)}${updateFailure}`);
    }
    addInto(this.pastHits, carried);
    this.countsOwnTable = true;
    return result.stdout;
  }

  /** No table: read its counts first (they go with it), then delete it; exit 0 is the proof. */
  private async remove(): Promise<void> {
    // Not awaited when there is nothing to read, so the transaction starts at once.
    const carried = this.countsOwnTable ? await this.carriedCounts() : new Map<string, number>();
    this.live = undefined;
    this.applied = undefined;
    try {
      await this.runner.run(['nft', '-f', '-'], { input: removeRuleset() });
    } catch (error) {
      throw new FirewallError(`could not remove the firewall table: ${why(error)}`);
    }
    addInto(this.pastHits, carried);
    this.countsOwnTable = false;
    this.kind = 'none';
  }

  /** The live counts of our own table; a failure to read them must not stop a policy change. */
  private carriedCounts(): Promise<Map<string, number>> {
    return this.liveCounts().catch(() => new Map<string, number>());
  }

  private async liveCounts(): Promise<Map<string, number>> {
    const result = await this.list(LIST_COUNTERS);
    return result === undefined ? new Map() : parseCountersJson(result);
  }

  /** The live table's chains, or undefined when there is no table. */
  async read(): Promise<ListedChain[] | undefined> {
    const result = await this.list(LIST_TABLE);
    return result === undefined ? undefined : parseTableJson(result);
  }

  /** Compare the live table with `policy`; empty when they agree. */
  async verify(policy: FirewallPolicy): Promise<string[]> {
    const actual = await this.read();
    if (policy.kind === 'none') return actual ? [`table inet ${FIREWALL_TABLE} still exists`] : [];
    return compareChains(firewallChains(policy), actual);
  }

  /** stdout of an `nft -j list` command, or undefined when the table does not exist. */
  private async list(argv: readonly string[]): Promise<string | undefined> {
    const result = await this.runner.run(argv, { okCodes: [1] });
    if (result.code === 0) return result.stdout;
    // nft exits 1 for every error: only "No such file or directory" means there is no table.
    if (/No such file or directory/.test(result.stderr)) return undefined;
    throw new CommandError(argv, result.code, result.stderr, `exited with ${result.code}`);
  }
}

function sameChains(a: readonly FirewallChain[], b: readonly FirewallChain[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function addInto(totals: Map<string, number>, counts: ReadonlyMap<string, number>): void {
  for (const [tag, packets] of counts) totals.set(tag, (totals.get(tag) ?? 0) + packets);
}

/** Every rule tag in a ruleset we render (each rule counts into the counter named by its tag). */
export function ruleTags(ruleset: string): string[] {
  return [...ruleset.matchAll(/ counter name "([^"]+)"(?: .*)? comment "\1"$/gm)].map((m) => m[1] ?? '');
}
