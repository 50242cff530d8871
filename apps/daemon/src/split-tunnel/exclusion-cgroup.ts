// The exclusion cgroup: one directory made by the helper in the cgroup v2 hierarchy or in net_cls's v1
// hierarchy. Processes are moved in by writing their pid to its cgroup.procs (children follow when
// they fork), and moved back to where they came from.
import type { ExclusionMatch } from '../net/firewall-rules.js';
import { errnoOf, type CgroupFs } from './cgroup-fs.js';
import { below, NFT_CGROUP2_ROOT } from './layout.js';

/** The net_cls classid of excluded sockets ("SL" major, 1 minor). */
export const EXCLUSION_CLASSID = 0x534c_0001;

export type ExclusionCgroupSpec =
  | { mechanism: 'cgroup2'; root: string; name: string }
  | { mechanism: 'net_cls'; root: string; name: string; classid: number };

export class NotExcludedError extends Error {
  override readonly name = 'NotExcludedError';
}

export class ProcessGoneError extends Error {
  override readonly name = 'ProcessGoneError';
}

/**
 * The cgroup a /proc/<pid>/cgroup text puts the process in, for the hierarchy of `mechanism`:
 * `0::/user.slice/...` for v2, the line naming net_cls for v1; undefined when absent.
 */
export function cgroupOf(
  procCgroup: string,
  mechanism: ExclusionCgroupSpec['mechanism'],
): string | undefined {
  for (const line of procCgroup.split('\n')) {
    const [id, controllers, ...path] = line.split(':');
    if (id === undefined || controllers === undefined || path.length === 0) continue;
    const inHierarchy =
      mechanism === 'cgroup2' ? id === '0' && controllers === '' : controllers.split(',').includes('net_cls');
    if (inHierarchy) return path.join(':');
  }
  return undefined;
}

/** The pids of a cgroup.procs text. */
export function parseProcs(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()))
    .map((line) => Number(line.trim()));
}

export class ExclusionCgroup {
  readonly dir: string;
  /** Where each process moved in came from (a cgroup path in the same hierarchy). */
  private readonly origins = new Map<number, string>();

  constructor(
    private readonly fs: CgroupFs,
    readonly spec: ExclusionCgroupSpec,
  ) {
    this.dir = `${spec.root}/${spec.name}`;
  }

  /** How the firewall recognises this cgroup's sockets; undefined when nft cannot name it. */
  match(): ExclusionMatch | undefined {
    if (this.spec.mechanism === 'net_cls') return { mechanism: 'net_cls', classid: this.spec.classid };
    const path = below(NFT_CGROUP2_ROOT, this.dir);
    return path === undefined
      ? undefined
      : { mechanism: 'cgroup2', path, level: this.spec.name.split('/').length };
  }

  /** Make the cgroup when it is missing; its inode, and whether it had to be made. */
  async ensure(): Promise<{ inode: number; created: boolean }> {
    const created = await this.fs.mkdir(this.dir);
    if (this.spec.mechanism === 'net_cls')
      await this.fs.write(`${this.dir}/net_cls.classid`, String(this.spec.classid));
    const inode = await this.fs.inode(this.dir);
    if (inode === undefined) throw new Error(`${this.dir} could not be made`);
    if (created) this.origins.clear();
    return { inode, created };
  }

  inode(): Promise<number | undefined> {
    return this.fs.inode(this.dir);
  }

  /** Processes in the cgroup now (children of moved processes included). */
  async members(): Promise<number[]> {
    try {
      return parseProcs(await this.fs.read(`${this.dir}/cgroup.procs`));
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw error;
    }
  }

  async add(pid: number): Promise<void> {
    if ((await this.members()).includes(pid)) return;
    let origin: string | undefined;
    try {
      origin = cgroupOf(await this.fs.read(`/proc/${pid}/cgroup`), this.spec.mechanism);
    } catch {
      throw new ProcessGoneError(`there is no process ${pid}`);
    }
    await this.move(pid, this.dir);
    if (origin !== undefined) this.origins.set(pid, origin);
  }

  /** Back to the cgroup it came from (when that still exists), else the hierarchy's root. */
  async remove(pid: number): Promise<void> {
    if (!(await this.members()).includes(pid)) throw new NotExcludedError(`process ${pid} is not excluded`);
    await this.moveBack(pid);
  }

  /** Every process back; resolves with how many were moved. */
  async clear(): Promise<number> {
    const members = await this.members();
    for (const pid of members) await this.moveBack(pid);
    return members.length;
  }

  /** Everything back, then the cgroup itself removed. */
  async destroy(): Promise<void> {
    await this.clear();
    await this.fs.rmdir(this.dir);
    this.origins.clear();
  }

  private async moveBack(pid: number): Promise<void> {
    const origin = this.origins.get(pid);
    this.origins.delete(pid);
    const back = origin !== undefined && origin !== '/' ? `${this.spec.root}${origin}` : this.spec.root;
    const target = back !== this.dir && (await this.fs.inode(back)) !== undefined ? back : this.spec.root;
    try {
      await this.move(pid, target);
    } catch (error) {
      // Moving into the origin can fail (a systemd scope that stopped taking processes): the root always takes them.
      if (error instanceof ProcessGoneError) return;
      if (target === this.spec.root) throw error;
      await this.move(pid, this.spec.root).catch((again: unknown) => {
        if (!(again instanceof ProcessGoneError)) throw again;
      });
    }
  }

  private async move(pid: number, dir: string): Promise<void> {
    try {
      await this.fs.write(`${dir}/cgroup.procs`, String(pid));
    } catch (error) {
      if (errnoOf(error) === 'ESRCH') throw new ProcessGoneError(`process ${pid} has exited`);
      throw error;
    }
  }
}
