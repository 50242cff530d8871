// Split tunnelling as the helper reports it, and the requests that change it. A request's answer carries
// the state in force (the trusted side patches it), so nothing here guesses; a failure is reported.
import type { SplitTunnelStatus } from '@sluice/api/domain';
import type { SliceContext } from './slice';

export interface SplitTunnelSlice {
  splitTunnel: SplitTunnelStatus | undefined;
  /** A split-tunnel request is on its way (controls wait for it). */
  splitTunnelBusy: boolean;
  setSplitTunnelEnabled: (enabled: boolean) => void;
  removeSplitTunnelApp: (path: string) => void;
  removeSplitTunnelProcess: (pid: number) => void;
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
  return {
    splitTunnel: undefined,
    splitTunnelBusy: false,
    setSplitTunnelEnabled(enabled) {
      request(enabled ? 'Turning split tunnelling on' : 'Turning split tunnelling off', () =>
        ctx.api.invoke('setSplitTunnelEnabled', { enabled }),
      );
    },
    removeSplitTunnelApp(path) {
      request(`Removing ${path}`, () => ctx.api.invoke('removeSplitTunnelApp', { path }));
    },
    removeSplitTunnelProcess(pid) {
      request(`Putting process ${pid} back in the tunnel`, () =>
        ctx.api.invoke('removeSplitTunnelProcess', { pid }),
      );
    },
  };
}
