// The DNS backends' common shape and the automatic choice between them.
import { access, readlink } from 'node:fs/promises';
import type { DnsBackendChoice } from '../../config.js';

export type DnsBackendName = Exclude<DnsBackendChoice, 'auto'>;

export interface DnsBackend {
  readonly name: DnsBackendName;
  /** Make `servers` the system's resolvers for as long as the tunnel on `interfaceName` is up. */
  apply(interfaceName: string, servers: readonly string[]): Promise<void>;
  /** Undo `apply`; a no-op when nothing is applied. */
  revert(): Promise<void>;
  /** At start-up: undo whatever a helper that died with the tunnel up left behind. */
  recover(): Promise<void>;
}

export interface DetectionFacts {
  /** Where the resolv.conf symlink points, or null when it is a plain file. */
  resolvConfTarget: string | null;
  hasResolvectl: boolean;
  hasResolvconf: boolean;
}

/** Pure choice, as systemd-resolved, resolvconf and a plain file each announce themselves. */
export function chooseDnsBackend(choice: DnsBackendChoice, facts: DetectionFacts): DnsBackendName {
  if (choice !== 'auto') return choice;
  const target = facts.resolvConfTarget ?? '';
  if (facts.hasResolvectl && target.includes('systemd/resolve')) return 'systemd-resolved';
  if (facts.hasResolvconf && /resolvconf|openresolv/.test(target)) return 'resolvconf';
  return 'static';
}

async function onPath(program: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    try {
      await access(`${dir}/${program}`);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

export async function detectionFacts(resolvConfPath: string): Promise<DetectionFacts> {
  return {
    resolvConfTarget: await readlink(resolvConfPath).catch(() => null),
    hasResolvectl: await onPath('resolvectl'),
    hasResolvconf: await onPath('resolvconf'),
  };
}
