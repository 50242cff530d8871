// Split tunnelling as the helper reports it, the requests that change it, and the app-exclusion picker's
// installed apps and launches. A request's answer carries the state in force (the trusted side patches
// it), so nothing here guesses; a failure is reported where it happened.
import type { SplitTunnelStatus } from '@sluice/api/domain';
import type { InstalledAppView } from '../../shared/ipc';
import { messageOf } from './errors';
import type { SliceContext } from './slice';
import type { Task } from './task';

export type LaunchStatus = { kind: 'busy' } | { kind: 'started' } | { kind: 'failed'; message: string };

export interface SplitTunnelSlice {
  splitTunnel: SplitTunnelStatus | undefined;
  /** A split-tunnel request is on its way (controls wait for it). */
  splitTunnelBusy: boolean;
  installedApps: Task<InstalledAppView[]>;
  /** Programs chosen with Browse, shown first in the picker. */
  chosenApps: InstalledAppView[];
  /** Why Browse failed (the file is no program), shown under the picker. */
  browseProblem: string | undefined;
  launches: Record<string, LaunchStatus>;
  setSplitTunnelEnabled: (enabled: boolean) => void;
  addSplitTunnelApp: (path: string) => void;
  removeSplitTunnelApp: (path: string) => void;
  removeSplitTunnelProcess: (pid: number) => void;
  loadInstalledApps: () => void;
  launchExcluded: (id: string) => void;
  browseForProgram: () => void;
}

export function createSplitTunnelSlice(ctx: SliceContext): SplitTunnelSlice {
  const request = (what: string, call: () => Promise<unknown>): void => {
    ctx.set({ splitTunnelBusy: true });
    call().then(
      () => ctx.set({ splitTunnelBusy: false }),
      (error: unknown) => {
        ctx.set({ splitTunnelBusy: false });
        ctx.report(what, error);
      },
    );
  };
  const setLaunch = (id: string, status: LaunchStatus): void =>
    ctx.set({ launches: { ...ctx.get().launches, [id]: status } });

  return {
    splitTunnel: undefined,
    splitTunnelBusy: false,
    installedApps: { kind: 'idle' },
    chosenApps: [],
    browseProblem: undefined,
    launches: {},
    setSplitTunnelEnabled(enabled) {
      request(enabled ? 'Turning split tunnelling on' : 'Turning split tunnelling off', () =>
        ctx.api.invoke('setSplitTunnelEnabled', { enabled }),
      );
    },
    addSplitTunnelApp(path) {
      request(`Excluding ${path}`, () => ctx.api.invoke('addSplitTunnelApp', { path }));
    },
    removeSplitTunnelApp(path) {
      request(`Removing ${path}`, () => ctx.api.invoke('removeSplitTunnelApp', { path }));
    },
    removeSplitTunnelProcess(pid) {
      request(`Putting process ${pid} back in the tunnel`, () =>
        ctx.api.invoke('removeSplitTunnelProcess', { pid }),
      );
    },
    loadInstalledApps() {
      if (ctx.get().installedApps.kind === 'busy') return;
      ctx.set({ installedApps: { kind: 'busy' } });
      ctx.api.invoke('listInstalledApps', {}).then(
        (apps) => ctx.set({ installedApps: { kind: 'done', value: apps } }),
        (error: unknown) => ctx.set({ installedApps: { kind: 'failed', message: messageOf(error) } }),
      );
    },
    launchExcluded(id) {
      if (ctx.get().launches[id]?.kind === 'busy') return;
      setLaunch(id, { kind: 'busy' });
      ctx.api.invoke('launchExcluded', { id }).then(
        () => setLaunch(id, { kind: 'started' }),
        (error: unknown) => setLaunch(id, { kind: 'failed', message: messageOf(error) }),
      );
    },
    browseForProgram() {
      ctx.set({ browseProblem: undefined });
      ctx.api.invoke('chooseProgram', {}).then(
        (app) => {
          if (!app) return;
          const others = ctx.get().chosenApps.filter((chosen) => chosen.id !== app.id);
          ctx.set({ chosenApps: [app, ...others] });
        },
        (error: unknown) => ctx.set({ browseProblem: messageOf(error) }),
      );
    },
  };
}
