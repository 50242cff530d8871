// How exclusion is enforced on this system, chosen once at start: cgroup v2 socket matching when a
// v2 hierarchy is mounted where nft resolves paths and a dry-run nft transaction loads it, else net_cls
// (a classid) when that v1 controller is mounted, else unavailable with the reason in words.
import { exclusionProbeRuleset, type ExclusionMatch } from '../net/firewall-rules.js';
import type { Runner } from '../net/exec.js';
import type { CgroupFs } from './cgroup-fs.js';
import { ExclusionCgroup, EXCLUSION_CLASSID } from './exclusion-cgroup.js';
import { below, describeLayout, NFT_CGROUP2_ROOT, type CgroupLayout } from './layout.js';

export type Mechanism =
  | { kind: 'cgroup2' | 'net_cls'; layout: CgroupLayout; cgroup: ExclusionCgroup; match: ExclusionMatch }
  | { kind: 'unavailable'; layout: CgroupLayout; reason: string };

/** Whether nft loads a rule with `match` (a `nft -c` dry run); the error in words when it does not. */
export async function nftCanMatch(runner: Runner, match: ExclusionMatch): Promise<string | undefined> {
  try {
    await runner.run(['nft', '-c', '-f', '-'], { input: exclusionProbeRuleset(match), timeoutMs: 5_000 });
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

export interface MechanismDeps {
  fs: CgroupFs;
  /** The exclusion cgroup's name (one directory; unique per helper so two labs never share one). */
  name: string;
  canMatch: (match: ExclusionMatch) => Promise<string | undefined>;
}

/**
 * Detect and prepare: the chosen mechanism's cgroup exists afterwards (nft resolves a v2 path when a
 * rule loads, so the probe needs it). A cgroup this probe made for a mechanism it then rejects is removed.
 */
export async function chooseMechanism(layout: CgroupLayout, deps: MechanismDeps): Promise<Mechanism> {
  const reasons: string[] = [];
  if (layout.v2 !== undefined) {
    const cgroup = new ExclusionCgroup(deps.fs, { mechanism: 'cgroup2', root: layout.v2, name: deps.name });
    const match = cgroup.match();
    if (!match) {
      reasons.push(
        `cgroup v2 is mounted at ${layout.v2}, outside ${NFT_CGROUP2_ROOT} where nft looks for cgroups`,
      );
    } else {
      const { created } = await cgroup.ensure();
      const error = await deps.canMatch(match);
      if (error === undefined) return { kind: 'cgroup2', layout, cgroup, match };
      reasons.push(`nft cannot match cgroup v2 sockets (${error})`);
      if (created) await cgroup.destroy();
    }
  }
  if (layout.netCls !== undefined) {
    const cgroup = new ExclusionCgroup(deps.fs, {
      mechanism: 'net_cls',
      root: layout.netCls,
      name: deps.name,
      classid: EXCLUSION_CLASSID,
    });
    const match = cgroup.match();
    const error = match ? await deps.canMatch(match) : 'no classid';
    if (match && error === undefined) return { kind: 'net_cls', layout, cgroup, match };
    reasons.push(`nft cannot match net_cls classids (${error ?? ''})`);
  } else if (layout.v2 === undefined || below(NFT_CGROUP2_ROOT, layout.v2) === undefined) {
    reasons.push('the net_cls cgroup controller is not mounted');
  }
  if (layout.v2 === undefined)
    reasons.unshift(`no cgroup v2 hierarchy is mounted (${describeLayout(layout)})`);
  return { kind: 'unavailable', layout, reason: reasons.join('; ') };
}
