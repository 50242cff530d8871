// App rules: programs excluded whenever they run, by executable path. A scan lists /proc and looks at
// the executable of processes it has not judged yet; young processes are looked at again for a while,
// since a fork execs its program a moment after it appears. With no rules nothing is scanned.
import { realpath } from 'node:fs/promises';
import type { CgroupFs } from './cgroup-fs.js';

/** How long a new process is looked at again (a launcher forks, then execs the program). */
const YOUNG_MS = 3_000;

/** The rule paths and what they resolve to (a rule for /usr/bin/firefox matches /usr/lib/firefox/firefox). */
export async function ruleTargets(
  apps: readonly string[],
  resolve: (path: string) => Promise<string> = realpath,
): Promise<Set<string>> {
  const targets = new Set<string>();
  for (const app of apps) {
    targets.add(app);
    try {
      targets.add(await resolve(app));
    } catch {
      // Not installed (yet): the path itself still matches when it appears.
    }
  }
  return targets;
}

/** /proc/<pid>/exe of a replaced binary reads `<path> (deleted)`: the path is what the rule named. */
export const executablePath = (link: string): string => link.replace(/ \(deleted\)$/, '');

export class AppRuleScanner {
  /** Processes judged, with when they were first seen. */
  private readonly seen = new Map<number, number>();

  constructor(
    private readonly fs: CgroupFs,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget every judgement (after a helper restart or a re-created cgroup, all are looked at again). */
  reset(): void {
    this.seen.clear();
  }

  /** The pids, not yet excluded, whose executable is one of `targets`. */
  async scan(targets: ReadonlySet<string>, excluded: ReadonlySet<number>): Promise<number[]> {
    const now = this.now();
    const pids = await this.fs.pids();
    const alive = new Set(pids);
    for (const pid of this.seen.keys()) if (!alive.has(pid)) this.seen.delete(pid);
    const matches: number[] = [];
    for (const pid of pids) {
      const first = this.seen.get(pid);
      if (first !== undefined && now - first > YOUNG_MS) continue;
      if (first === undefined) this.seen.set(pid, now);
      if (excluded.has(pid)) continue;
      const exe = await this.fs.executable(pid);
      if (exe !== undefined && targets.has(executablePath(exe))) matches.push(pid);
    }
    return matches;
  }
}
