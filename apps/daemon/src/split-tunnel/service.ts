// Split tunnelling as one part with one job: keep the exclusion cgroup, the processes in it and the
// app rules in line with the settings, and tell the engine when the firewall's exclusion rules must
// change. Every change of the cgroup runs in one queue, so moves never interleave.
import { escapeControls, type ExcludedProcess, type SplitTunnelStatus } from '@sluice/api/domain';
import type { Logger } from '../log.js';
import type { ExclusionMatch } from '../net/firewall-rules.js';
import { AppRuleScanner, executablePath, ruleTargets } from './app-rules.js';
import type { CgroupFs } from './cgroup-fs.js';
import { cgroupLayout, describeLayout } from './layout.js';
import { chooseMechanism, type Mechanism } from './mechanism.js';

export class SplitTunnelUnavailableError extends Error {
  override readonly name = 'SplitTunnelUnavailableError';
}

export type { SplitTunnelStatus } from '@sluice/api/domain';

export interface SplitTunnelSettingsView {
  enabled: boolean;
  apps: readonly string[];
}

export interface SplitTunnelDeps {
  fs: CgroupFs;
  log: Logger;
  /** The exclusion cgroup's name. */
  cgroupName: string;
  mountinfo: () => Promise<string>;
  canMatch: (match: ExclusionMatch) => Promise<string | undefined>;
  settings: () => SplitTunnelSettingsView;
  /** The exclusion rules must change; `replace` when the cgroup was re-made (same text, new id). */
  onExclusionChange: (replace: boolean) => void;
  /** Something a client shows changed (processes, mechanism). */
  onStateChange: () => void;
}

const SRC_VALID_MARK = '/proc/sys/net/ipv4/conf/all/src_valid_mark';
const SCAN_MS = 500;
const WATCH_MS = 2_000;
const MAX_COMMAND = 200;

export class SplitTunnel {
  private mechanism: Mechanism = {
    kind: 'unavailable',
    layout: { name: 'none' },
    reason: 'not detected yet',
  };
  private active = false;
  private inode: number | undefined;
  private savedSrcValidMark: string | undefined;
  private targets: Set<string> = new Set();
  private readonly scanner: AppRuleScanner;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private work: Promise<unknown> = Promise.resolve();
  private lastMembers = '';

  constructor(private readonly deps: SplitTunnelDeps) {
    this.scanner = new AppRuleScanner(deps.fs);
  }

  /** Detect the mechanism, then match the settings (a cgroup left by an earlier run is reused). */
  start(): Promise<void> {
    return this.serial(async () => {
      const layout = cgroupLayout(await this.deps.mountinfo());
      this.mechanism = await chooseMechanism(layout, {
        fs: this.deps.fs,
        name: this.deps.cgroupName,
        canMatch: this.deps.canMatch,
      });
      const m = this.mechanism;
      this.deps.log.info(
        {
          mechanism: m.kind,
          layout: describeLayout(layout),
          ...(m.kind === 'unavailable' ? { reason: m.reason } : {}),
        },
        'split tunnelling mechanism',
      );
      await this.reconcile();
    });
  }

  /** The firewall's match for excluded sockets, while split tunnelling is on and works. */
  exclusion(): ExclusionMatch | undefined {
    return this.active && this.mechanism.kind !== 'unavailable' ? this.mechanism.match : undefined;
  }

  settingsChanged(before: SplitTunnelSettingsView, after: SplitTunnelSettingsView): Promise<void> {
    if (before.enabled === after.enabled && before.apps.join('\n') === after.apps.join('\n'))
      return Promise.resolve();
    return this.serial(() => this.reconcile());
  }

  /** Exclude a process (its children follow from their next fork). */
  addProcess(pid: number): Promise<void> {
    return this.serial(async () => {
      const cgroup = this.usableCgroup('exclude a process');
      await cgroup.add(pid);
      this.deps.log.info({ pid }, 'process excluded from the tunnel');
      await this.noticeMembers();
    });
  }

  removeProcess(pid: number): Promise<void> {
    return this.serial(async () => {
      const cgroup = this.usableCgroup('put a process back in the tunnel');
      await cgroup.remove(pid);
      this.deps.log.info({ pid }, 'process back in the tunnel');
      await this.noticeMembers();
    });
  }

  clearProcesses(): Promise<number> {
    return this.serial(async () => {
      if (this.mechanism.kind === 'unavailable' || !this.active) return 0;
      const moved = await this.mechanism.cgroup.clear();
      await this.noticeMembers();
      return moved;
    });
  }

  /** Pids in the exclusion cgroup now. */
  async pids(): Promise<number[]> {
    return this.mechanism.kind === 'unavailable' || !this.active ? [] : this.mechanism.cgroup.members();
  }

  async status(): Promise<SplitTunnelStatus> {
    const settings = this.deps.settings();
    const m = this.mechanism;
    const processes: ExcludedProcess[] = [];
    for (const pid of await this.pids()) processes.push({ pid, command: await this.command(pid) });
    return {
      enabled: settings.enabled,
      mechanism: m.kind,
      detail: m.kind === 'unavailable' ? m.reason : describeLayout(m.layout),
      apps: [...settings.apps],
      processes,
    };
  }

  /**
   * Stop watching. With `keepCgroup` (the firewall stays after the helper, rules and all) excluded
   * programs keep working; otherwise every process goes back and the cgroup is removed.
   */
  stop(keepCgroup: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    return this.serial(async () => {
      if (keepCgroup || !this.active) return;
      await this.deactivate();
    });
  }

  // ---------------------------------------------------------------------------------------------

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.work.then(job, job);
    this.work = run.catch(() => undefined);
    return run;
  }

  private usableCgroup(what: string) {
    const m = this.mechanism;
    if (m.kind === 'unavailable')
      throw new SplitTunnelUnavailableError(
        `cannot ${what}: split tunnelling is unavailable here (${m.reason})`,
      );
    if (!this.active)
      throw new SplitTunnelUnavailableError(
        `cannot ${what}: split tunnelling is off; turn it on with \`sluice split-tunnel set on\``,
      );
    return m.cgroup;
  }

  /** Make the system match the settings: on (cgroup, marks, rules, scanning) or off (all of it gone). */
  private async reconcile(): Promise<void> {
    const settings = this.deps.settings();
    const want = settings.enabled && this.mechanism.kind !== 'unavailable';
    if (want && !this.active) await this.activate();
    else if (!want && this.active) await this.deactivate();
    else if (!want && this.mechanism.kind !== 'unavailable') {
      // Off from the start: the probe's cgroup (or one a crashed run left) goes, processes back first.
      await this.mechanism.cgroup.destroy();
    }
    const previous = this.targets;
    this.targets = await ruleTargets(settings.apps);
    if (this.active && this.mechanism.kind !== 'unavailable') {
      // A rule removed: the processes it moved go back into the tunnel.
      const dropped = new Set([...previous].filter((target) => !this.targets.has(target)));
      if (dropped.size > 0) {
        for (const pid of await this.mechanism.cgroup.members()) {
          const exe = await this.deps.fs.executable(pid);
          if (exe !== undefined && dropped.has(executablePath(exe)))
            await this.mechanism.cgroup.remove(pid).catch(() => undefined);
        }
        await this.noticeMembers();
      }
    }
    this.scanner.reset();
    this.schedule(0);
    this.deps.onStateChange();
  }

  private async activate(): Promise<void> {
    if (this.mechanism.kind === 'unavailable') return;
    const { inode } = await this.mechanism.cgroup.ensure();
    this.inode = inode;
    await this.setSrcValidMark();
    this.active = true;
    this.deps.log.info({ cgroup: this.mechanism.cgroup.dir }, 'split tunnelling on');
    this.deps.onExclusionChange(false);
  }

  private async deactivate(): Promise<void> {
    if (this.mechanism.kind === 'unavailable') return;
    this.active = false;
    // Rules out first: no socket is marked once its cgroup is gone.
    this.deps.onExclusionChange(false);
    await this.mechanism.cgroup.destroy();
    await this.restoreSrcValidMark();
    this.deps.log.info('split tunnelling off: every process is back in the tunnel');
  }

  /** Replies of excluded connections carry the fwmark; strict reverse-path filtering must see it. */
  private async setSrcValidMark(): Promise<void> {
    try {
      const value = (await this.deps.fs.read(SRC_VALID_MARK)).trim();
      if (value !== '1') {
        await this.deps.fs.write(SRC_VALID_MARK, '1');
        this.savedSrcValidMark = value;
      }
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not set src_valid_mark; replies may be dropped by rp_filter');
    }
  }

  private async restoreSrcValidMark(): Promise<void> {
    if (this.savedSrcValidMark === undefined) return;
    await this.deps.fs.write(SRC_VALID_MARK, this.savedSrcValidMark).catch(() => undefined);
    this.savedSrcValidMark = undefined;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    if (this.stopped || !this.active) return;
    this.timer = setTimeout(() => {
      void this.serial(() => this.tick()).finally(() =>
        this.schedule(this.targets.size > 0 ? SCAN_MS : WATCH_MS),
      );
    }, delay);
    this.timer.unref();
  }

  /** One look: the cgroup still ours (else re-made and rules reloaded), members, app rules. */
  private async tick(): Promise<void> {
    if (!this.active || this.mechanism.kind === 'unavailable') return;
    const cgroup = this.mechanism.cgroup;
    try {
      const inode = await cgroup.inode();
      if (inode !== this.inode) {
        this.deps.log.warn(
          { cgroup: cgroup.dir },
          'the exclusion cgroup was removed or replaced; making it again',
        );
        this.inode = (await cgroup.ensure()).inode;
        this.scanner.reset();
        this.deps.onExclusionChange(true);
      }
      if (this.targets.size > 0) {
        const members = new Set(await cgroup.members());
        for (const pid of await this.scanner.scan(this.targets, members)) {
          await cgroup.add(pid).then(
            () => this.deps.log.info({ pid }, 'excluded a process by app rule'),
            () => undefined,
          );
        }
      }
      await this.noticeMembers();
    } catch (error) {
      this.deps.log.warn({ err: error }, 'split tunnelling check failed');
    }
  }

  private async noticeMembers(): Promise<void> {
    // Commands too: sluice-exclude is moved first and then execs the program, so the same pid's command
    // line changes after the move, and clients should show the program, not the launcher.
    const pids = await this.pids();
    const commands = await Promise.all(pids.map((pid) => this.command(pid)));
    const members = pids.map((pid, index) => `${pid}:${commands[index] ?? ''}`).join('\n');
    if (members === this.lastMembers) return;
    this.lastMembers = members;
    this.deps.onStateChange();
  }

  private async command(pid: number): Promise<string> {
    try {
      const raw = await this.deps.fs.read(`/proc/${pid}/cmdline`);
      const text = escapeControls(raw.replace(/\0+$/, '').split('\0').join(' '));
      return text.length > MAX_COMMAND ? `${text.slice(0, MAX_COMMAND)}...` : text;
    } catch {
      return '';
    }
  }
}
