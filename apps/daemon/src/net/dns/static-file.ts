// DNS by rewriting a resolv.conf file: back it up, write ours, put ours back if something overwrites it
// while the tunnel is up, and restore the original on disconnect (or on the next start after a crash).
// The file is rewritten in place, not renamed over: /etc/resolv.conf is often a bind mount or a file
// other programs hold open.
import { watch, type FSWatcher } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { readFileNoFollow, writeFileAtomic } from '../../util/atomic-file.js';
import type { DnsBackend } from './backend.js';

/** glibc reads at most three nameserver lines. */
export const MAX_NAMESERVERS = 3;

export function resolvConfText(servers: readonly string[]): string {
  const lines = [
    '# Written by Sluice while the VPN tunnel is up; the previous file is restored when it goes down.',
    ...servers.slice(0, MAX_NAMESERVERS).map((server) => `nameserver ${server}`),
  ];
  return `${lines.join('\n')}\n`;
}

export class StaticFileDns implements DnsBackend {
  readonly name = 'static';
  private readonly backupPath: string;
  private applied: string | undefined;
  private watchers: FSWatcher[] = [];
  private reasserting = false;
  /** Called each time the file was found overwritten and written again. */
  onReasserted?: () => void;

  constructor(
    private readonly resolvConfPath: string,
    stateDir: string,
    private readonly log: Logger,
  ) {
    this.backupPath = join(stateDir, 'resolv.conf.backup');
  }

  async apply(_interfaceName: string, servers: readonly string[]): Promise<void> {
    const text = resolvConfText(servers);
    // Back up only the user's file: re-applying while up must not back up our own.
    if (!(await this.hasBackup())) {
      const original = await readFile(this.resolvConfPath, 'utf8').catch(() => '');
      await writeFileAtomic(this.backupPath, original);
    }
    await writeFile(this.resolvConfPath, text);
    this.applied = text;
    this.watch();
  }

  async revert(): Promise<void> {
    this.unwatch();
    this.applied = undefined;
    await this.restoreBackup();
  }

  async recover(): Promise<void> {
    if (await this.hasBackup()) {
      this.log.warn({ file: this.resolvConfPath }, 'restoring resolv.conf left by a previous run');
      await this.restoreBackup();
    }
  }

  private async hasBackup(): Promise<boolean> {
    return readFileNoFollow(this.backupPath).then(
      () => true,
      () => false,
    );
  }

  private async restoreBackup(): Promise<void> {
    let original: string;
    try {
      // Never through a link: a backup linked to a secret would copy it into a world-readable file.
      original = await readFileNoFollow(this.backupPath);
    } catch {
      return;
    }
    await writeFile(this.resolvConfPath, original);
    await rm(this.backupPath, { force: true });
  }

  private watch(): void {
    if (this.watchers.length > 0) return;
    const check = (): void => void this.reassert();
    // The file itself (edited in place) and its directory (replaced by rename).
    this.watchers.push(watch(this.resolvConfPath, check));
    const name = basename(this.resolvConfPath);
    this.watchers.push(
      watch(dirname(this.resolvConfPath), (_event, changed) => {
        if (changed === name) check();
      }),
    );
    for (const watcher of this.watchers) watcher.on('error', () => undefined);
  }

  private unwatch(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }

  private async reassert(): Promise<void> {
    if (this.reasserting || this.applied === undefined) return;
    this.reasserting = true;
    try {
      const now = await readFile(this.resolvConfPath, 'utf8').catch(() => '');
      // Read `applied` again after the await: a revert may have run meanwhile, and then the file must
      // stay restored.
      const ours = this.appliedText();
      if (ours !== undefined && now !== ours) {
        this.log.warn(
          { file: this.resolvConfPath },
          'resolv.conf was overwritten while the tunnel is up; writing it again',
        );
        await writeFile(this.resolvConfPath, ours);
        // A rename replaced the inode the file watcher was on.
        this.unwatch();
        this.watch();
        this.onReasserted?.();
      }
    } finally {
      this.reasserting = false;
    }
  }

  private appliedText(): string | undefined {
    return this.applied;
  }
}
