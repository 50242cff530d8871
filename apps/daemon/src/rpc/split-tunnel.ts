import type { pb } from '@sluice/api';
import { stat } from 'node:fs/promises';
import {
  quote,
  validateAppPath,
  validatePid,
  ValidationError,
  type SluiceSettings,
} from '@sluice/api/domain';
import * as change from '../settings/changes.js';
import { authorizeProcess, type Caller } from './callers.js';
import type { DaemonContext } from './context.js';
import { unary } from './handler.js';

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
  const state = async (): Promise<{ state: pb.SplitTunnelState }> => ({
    state: await ctx.freshSplitTunnelState(),
  });
  const update = async (
    fn: (s: SluiceSettings) => SluiceSettings,
  ): Promise<{ state: pb.SplitTunnelState }> => {
    const before = ctx.settings.settings.splitTunnel;
    await ctx.settings.update(fn);
    // The answer says what is in force: wait until split tunnelling has followed the change.
    await ctx.splitTunnel.settingsChanged(before, ctx.settings.settings.splitTunnel);
    return state();
  };
  return {
    getSplitTunnelState: unary(ctx, 'getSplitTunnelState', state),
    setSplitTunnelEnabled: unary(ctx, 'setSplitTunnelEnabled', (req: pb.SetSplitTunnelEnabledRequest) =>
      update((s) => ({ ...s, splitTunnel: { ...s.splitTunnel, enabled: req.enabled } })),
    ),
    addSplitTunnelApp: unary(ctx, 'addSplitTunnelApp', async (req: pb.AddSplitTunnelAppRequest) => {
      const path = validateAppPath('path', req.path);
      // A rule for a program that is not there would never match: say so now.
      const found = await stat(path).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!found)
        throw new ValidationError('path', `${quote(path)} is not an installed program (no such file)`);
      return update((s) => change.addSplitTunnelApp(s, path));
    }),
    removeSplitTunnelApp: unary(ctx, 'removeSplitTunnelApp', (req: pb.RemoveSplitTunnelAppRequest) =>
      update((s) => change.removeSplitTunnelApp(s, req.path)),
    ),
    addSplitTunnelProcess: unary(
      ctx,
      'addSplitTunnelProcess',
      async (req: pb.AddSplitTunnelProcessRequest, caller) => {
        await ctx.splitTunnel.addProcess(processOf(req, caller, 'AddSplitTunnelProcess'));
        return state();
      },
    ),
    removeSplitTunnelProcess: unary(
      ctx,
      'removeSplitTunnelProcess',
      async (req: pb.RemoveSplitTunnelProcessRequest, caller) => {
        await ctx.splitTunnel.removeProcess(processOf(req, caller, 'RemoveSplitTunnelProcess'));
        return state();
      },
    ),
    clearSplitTunnelProcesses: unary(ctx, 'clearSplitTunnelProcesses', async (_req, caller) => {
      // Root clears every process; anyone else only their own.
      if (caller?.uid === 0) await ctx.splitTunnel.clearProcesses();
      else
        for (const pid of await ctx.splitTunnel.pids()) {
          if (caller && ownedBy(pid, caller)) await ctx.splitTunnel.removeProcess(pid).catch(() => undefined);
        }
      return state();
    }),
  };
}

function ownedBy(pid: number, caller: Caller): boolean {
  try {
    authorizeProcess(caller, pid, 'ClearSplitTunnelProcesses');
    return true;
  } catch {
    return false;
  }
}
