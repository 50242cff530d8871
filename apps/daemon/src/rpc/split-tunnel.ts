import type { pb } from '@sluice/api';
import { validatePid, type SluiceSettings } from '@sluice/api/domain';
import * as change from '../settings/changes.js';
import { authorizeProcess, type Caller } from './callers.js';
import type { DaemonContext } from './context.js';
import { notYet, unary } from './handler.js';

/**
 * The process a pid request is about, authorized: pid 0 is the caller itself as the kernel knows it
 * (how `sluice-exclude` moves its own launcher); any other pid must be one of the caller's own.
 */
function processOf(request: { pid: number }, caller: Caller | undefined, rpc: string): number {
  const pid = request.pid === 0 && caller ? caller.pid : validatePid('pid', request.pid);
  authorizeProcess(caller, pid, rpc);
  return pid;
}

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
    addSplitTunnelProcess: unary(
      ctx,
      'addSplitTunnelProcess',
      (req: pb.AddSplitTunnelProcessRequest, caller) => {
        processOf(req, caller, 'AddSplitTunnelProcess');
        return notYet('Excluding a process')();
      },
    ),
    removeSplitTunnelProcess: unary(
      ctx,
      'removeSplitTunnelProcess',
      (req: pb.RemoveSplitTunnelProcessRequest, caller) => {
        processOf(req, caller, 'RemoveSplitTunnelProcess');
        return notYet('Excluding a process')();
      },
    ),
    clearSplitTunnelProcesses: unary(ctx, 'clearSplitTunnelProcesses', notYet('Excluding a process')),
  };
}
