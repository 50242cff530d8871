import type { pb } from '@sluice/api';
import type { SluiceSettings } from '@sluice/api/domain';
import * as change from '../settings/changes.js';
import type { DaemonContext } from './context.js';
import { notYet, unary } from './handler.js';

export function splitTunnelService(ctx: DaemonContext): pb.SplitTunnelServiceServer {
  const { log } = ctx;
  const update = async (
    fn: (s: SluiceSettings) => SluiceSettings,
  ): Promise<{ state: pb.SplitTunnelState }> => {
    await ctx.settings.update(fn);
    return { state: ctx.splitTunnelState() };
  };
  return {
    getSplitTunnelState: unary(log, 'GetSplitTunnelState', () => ({ state: ctx.splitTunnelState() })),
    setSplitTunnelEnabled: unary(log, 'SetSplitTunnelEnabled', (req: pb.SetSplitTunnelEnabledRequest) =>
      update((s) => ({ ...s, splitTunnel: { ...s.splitTunnel, enabled: req.enabled } })),
    ),
    addSplitTunnelApp: unary(log, 'AddSplitTunnelApp', (req: pb.AddSplitTunnelAppRequest) =>
      update((s) => change.addSplitTunnelApp(s, req.path)),
    ),
    removeSplitTunnelApp: unary(log, 'RemoveSplitTunnelApp', (req: pb.RemoveSplitTunnelAppRequest) =>
      update((s) => change.removeSplitTunnelApp(s, req.path)),
    ),
    addSplitTunnelProcess: unary(log, 'AddSplitTunnelProcess', notYet('Excluding a process')),
    removeSplitTunnelProcess: unary(log, 'RemoveSplitTunnelProcess', notYet('Excluding a process')),
    clearSplitTunnelProcesses: unary(log, 'ClearSplitTunnelProcesses', notYet('Excluding a process')),
  };
}
