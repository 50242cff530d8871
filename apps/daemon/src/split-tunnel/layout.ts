// Which cgroup hierarchies this system has, from /proc/self/mountinfo (pure): cgroup v2 only (Fedora,
// Ubuntu 22.04+, Debian 12, Arch), hybrid (v2 at /sys/fs/cgroup/unified beside v1 controllers) or v1
// only; and where the net_cls controller is, if it is mounted at all.

/** Where nft looks for cgroup v2 paths (`socket cgroupv2 level N "<path>"` is relative to it). */
export const NFT_CGROUP2_ROOT = '/sys/fs/cgroup';

export type CgroupLayoutName = 'v2' | 'hybrid' | 'v1' | 'none';

export interface CgroupLayout {
  name: CgroupLayoutName;
  /** The cgroup v2 mount point, when one is mounted. */
  v2?: string;
  /** The v1 hierarchy that carries net_cls, when one is mounted. */
  netCls?: string;
}

interface Mount {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** mountinfo escapes spaces, tabs, newlines and backslashes in paths as octal (`\040`). */
const unescape = (field: string): string =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** The mounts of a mountinfo text: `id parent major:minor root mountpoint opts [tags] - fstype source superopts`. */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    const mountPoint = fields[4];
    const fsType = fields[separator + 1];
    if (separator < 6 || mountPoint === undefined || fsType === undefined) continue;
    mounts.push({
      mountPoint: unescape(mountPoint),
      fsType,
      superOptions: (fields[separator + 3] ?? '').split(','),
    });
  }
  return mounts;
}

/**
 * The layout a mountinfo text describes. A later mount over the same point hides an earlier one (as
 * `mount -t cgroup2 none /sys/fs/cgroup` over a hybrid tree does), so only what is visible counts.
 */
export function cgroupLayout(mountinfo: string): CgroupLayout {
  const visible = new Map<string, Mount>();
  for (const mount of parseMountinfo(mountinfo)) {
    // Everything below a new mount point is hidden by it.
    for (const point of [...visible.keys()])
      if (point === mount.mountPoint || point.startsWith(`${mount.mountPoint}/`)) visible.delete(point);
    visible.set(mount.mountPoint, mount);
  }
  const mounts = [...visible.values()];
  const v2 = mounts.find((m) => m.fsType === 'cgroup2')?.mountPoint;
  const v1 = mounts.filter((m) => m.fsType === 'cgroup');
  const netCls = v1.find((m) => m.superOptions.includes('net_cls'))?.mountPoint;
  const name: CgroupLayoutName =
    v2 !== undefined && v1.length === 0 ? 'v2' : v2 !== undefined ? 'hybrid' : v1.length > 0 ? 'v1' : 'none';
  return { name, ...(v2 !== undefined ? { v2 } : {}), ...(netCls !== undefined ? { netCls } : {}) };
}

/** The layout in words, for status and logs. */
export function describeLayout(layout: CgroupLayout): string {
  switch (layout.name) {
    case 'v2':
      return `cgroup v2 only (at ${layout.v2 ?? '?'})`;
    case 'hybrid':
      return `hybrid: cgroup v2 at ${layout.v2 ?? '?'} beside cgroup v1`;
    case 'v1':
      return 'cgroup v1 only';
    case 'none':
      return 'no cgroup filesystem mounted';
  }
}

/** `child` relative to `root`, when it is below it. */
export function below(root: string, child: string): string | undefined {
  if (!child.startsWith(`${root}/`)) return undefined;
  return child.slice(root.length + 1);
}
