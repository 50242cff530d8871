import type { pb } from '@sluice/api';
import type { SluiceSettings } from '@sluice/api/domain';
import * as change from '../settings/changes.js';
import type { DaemonContext } from './context.js';
import { notYet, unary } from './handler.js';

export function splitTunnelService(ctx: DaemonContext): pb.SplitTunnelServiceServer {
  const update = async (
    fn: (s: SluiceSettings) => SluiceSettings,
  ): Promise<{ state: pb.SplitTunnelState }> => {
    await ctx.settings.update(fn);
    return { state: ctx.splitTunnelState() };
  };
  return {
    getSplitTunnelState: unary(ctx, 'getSplitTunnelState', () => ({ state: ctx.splitTunnelState() })),
    setSplitTunnelEnabled: unary(ctx, 'setSplitTunnelEnabled', (req: pb.SetSplitTunnelEnabledRequest) =>
      update((s) => ({ ...s, splitTunnel: { ...s.splitTunnel, enabled: req.enabled } })),
    ),
    addSplitTunnelApp: unary(ctx, 'addSplitTunnelApp', (req: pb.AddSplitTunnelAppRequest) =>
      update((s) => change.addSplitTunnelApp(s, req.path)),
    ),
    removeSplitTunnelApp: unary(ctx, 'removeSplitTunnelApp', (req: pb.RemoveSplitTunnelAppRequest) =>
      update((s) => change.removeSplitTunnelApp(s, req.path)),
    ),
    addSplitTunnelProcess: unary(ctx, 'addSplitTunnelProcess', notYet('Excluding a process')),
    removeSplitTunnelProcess: unary(ctx, 'removeSplitTunnelProcess', notYet('Excluding a process')),
    clearSplitTunnelProcesses: unary(ctx, 'clearSplitTunnelProcesses', notYet('Excluding a process')),
  };
}
