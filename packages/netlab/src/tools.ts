// The system programs the lab runs, and the Debian packages that provide them.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const REQUIRED_TOOLS: Readonly<Record<string, string>> = {
  'wireguard-go': 'wireguard-go',
  wg: 'wireguard-tools',
  nft: 'nftables',
  ip: 'iproute2',
  iperf3: 'iperf3',
  tcpdump: 'tcpdump',
  ping: 'iputils-ping',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  mount: 'mount',
  sysctl: 'procps',
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findTool(tool: string, path = process.env.PATH ?? ''): string | undefined {
  const dirs = [
    ...path.split(delimiter),
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, tool);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Debian packages to install for the tools that `isPresent` says are missing (sorted, unique). */
export function missingPackages(isPresent: (tool: string) => boolean): string[] {
  const packages = new Set<string>();
  for (const [tool, pkg] of Object.entries(REQUIRED_TOOLS)) if (!isPresent(tool)) packages.add(pkg);
  return [...packages].sort();
}

export class MissingToolsError extends Error {
  override name = 'MissingToolsError';
  constructor(readonly packages: string[]) {
    super(
      `netlab needs system packages that are missing; install them with: apt-get install -y ${packages.join(' ')}`,
    );
  }
}

export function checkTools(): void {
  const packages = missingPackages((tool) => findTool(tool) !== undefined);
  if (packages.length > 0) throw new MissingToolsError(packages);
}

export function checkRoot(): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error('root is required: the lab creates network namespaces');
  }
}
