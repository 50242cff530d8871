// A stateful fake of the cgroup filesystem and /proc, as split tunnelling sees them: directories that
// are cgroups (mkdir makes one, rmdir refuses a non-empty one, as the kernel does), cgroup.procs that
// moves a process when written and lists members when read, /proc/<pid>/{cgroup,cmdline,exe}, and the
// src_valid_mark sysctl. Processes are added by the test.
import type { CgroupFs } from '../../src/split-tunnel/cgroup-fs.js';

const error = (code: string, message: string): Error =>
  Object.assign(new Error(`${code}: ${message}`), { code });

export interface FakeProcess {
  exe: string;
  argv: string[];
  /** Its cgroup (absolute directory); a forked child starts in its parent's. */
  cgroup: string;
}

export class FakeCgroupFs implements CgroupFs {
  readonly processes = new Map<number, FakeProcess>();
  readonly cgroups = new Map<string, { inode: number; classid?: string }>();
  readonly sysctl = new Map<string, string>([['/proc/sys/net/ipv4/conf/all/src_valid_mark', '0']]);
  private nextInode = 100;
  private nextPid = 1000;

  /** `root`: the hierarchy's mount point (`/sys/fs/cgroup` for v2 only). */
  constructor(
    readonly root = '/sys/fs/cgroup',
    readonly hierarchy: 'cgroup2' | 'net_cls' = 'cgroup2',
  ) {
    this.cgroups.set(root, { inode: this.nextInode++ });
    this.cgroups.set(`${root}/user.slice`, { inode: this.nextInode++ });
  }

  /** A running process in the user's slice. */
  spawn(exe: string, argv: string[] = [exe], cgroup = `${this.root}/user.slice`): number {
    const pid = this.nextPid++;
    this.processes.set(pid, { exe, argv, cgroup });
    return pid;
  }

  /** A child forked by `parent`: it starts where its parent is. */
  fork(parent: number, exe?: string): number {
    const of = this.processes.get(parent);
    if (!of) throw new Error(`no process ${parent}`);
    return this.spawn(exe ?? of.exe, [exe ?? of.exe], of.cgroup);
  }

  exit(pid: number): void {
    this.processes.delete(pid);
  }

  cgroupOf(pid: number): string | undefined {
    return this.processes.get(pid)?.cgroup;
  }

  mkdir(path: string): Promise<boolean> {
    if (this.cgroups.has(path)) return Promise.resolve(false);
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (!this.cgroups.has(parent)) return Promise.reject(error('ENOENT', path));
    this.cgroups.set(path, { inode: this.nextInode++ });
    return Promise.resolve(true);
  }

  rmdir(path: string): Promise<boolean> {
    if (!this.cgroups.has(path)) return Promise.resolve(false);
    if ([...this.processes.values()].some((p) => p.cgroup === path))
      return Promise.reject(error('EBUSY', path));
    this.cgroups.delete(path);
    return Promise.resolve(true);
  }

  inode(path: string): Promise<number | undefined> {
    return Promise.resolve(this.cgroups.get(path)?.inode);
  }

  read(path: string): Promise<string> {
    const sysctl = this.sysctl.get(path);
    if (sysctl !== undefined) return Promise.resolve(`${sysctl}\n`);
    const proc = /^\/proc\/(\d+)\/(cgroup|cmdline)$/.exec(path);
    if (proc) {
      const process = this.processes.get(Number(proc[1]));
      if (!process) return Promise.reject(error('ENOENT', path));
      if (proc[2] === 'cmdline') return Promise.resolve(`${process.argv.join('\0')}\0`);
      const relative = process.cgroup.slice(this.root.length) || '/';
      return Promise.resolve(
        this.hierarchy === 'cgroup2'
          ? `0::${relative}\n`
          : `4:net_cls,net_prio:${relative}\n1:name=systemd:/\n`,
      );
    }
    if (path.endsWith('/cgroup.procs')) {
      const dir = path.slice(0, -'/cgroup.procs'.length);
      if (!this.cgroups.has(dir)) return Promise.reject(error('ENOENT', path));
      const pids = [...this.processes].filter(([, p]) => p.cgroup === dir).map(([pid]) => pid);
      return Promise.resolve(pids.map((pid) => `${pid}\n`).join(''));
    }
    return Promise.reject(error('ENOENT', path));
  }

  write(path: string, text: string): Promise<void> {
    if (this.sysctl.has(path)) {
      this.sysctl.set(path, text.trim());
      return Promise.resolve();
    }
    if (path.endsWith('/net_cls.classid')) {
      const cgroup = this.cgroups.get(path.slice(0, -'/net_cls.classid'.length));
      if (!cgroup || this.hierarchy !== 'net_cls') return Promise.reject(error('ENOENT', path));
      cgroup.classid = text;
      return Promise.resolve();
    }
    if (path.endsWith('/cgroup.procs')) {
      const dir = path.slice(0, -'/cgroup.procs'.length);
      if (!this.cgroups.has(dir)) return Promise.reject(error('ENOENT', path));
      const process = this.processes.get(Number(text));
      if (!process) return Promise.reject(error('ESRCH', `no process ${text}`));
      process.cgroup = dir;
      return Promise.resolve();
    }
    return Promise.reject(error('ENOENT', path));
  }

  pids(): Promise<number[]> {
    return Promise.resolve([...this.processes.keys()]);
  }

  executable(pid: number): Promise<string | undefined> {
    return Promise.resolve(this.processes.get(pid)?.exe);
  }
}

/** A mountinfo text of the given layout, as the kernel writes it. */
export function mountinfoOf(layout: 'v2' | 'hybrid' | 'v1' | 'none'): string {
  const lines = ['22 1 0:21 / / rw,relatime - ext4 /dev/vda1 rw'];
  if (layout === 'v2') lines.push('30 22 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate');
  if (layout === 'hybrid' || layout === 'v1') {
    lines.push('31 22 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755');
    lines.push('32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu');
  }
  if (layout === 'hybrid') lines.push('41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw');
  if (layout === 'v1') lines.push('42 31 0:39 / /sys/fs/cgroup/net_cls rw - cgroup cgroup rw,net_cls');
  return `${lines.join('\n')}\n`;
}
