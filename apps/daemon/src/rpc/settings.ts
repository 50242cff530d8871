import { pb } from '@sluice/api';
import { ValidationError, dnsModeFromPb, settingsToPb } from '@sluice/api/domain';
import * as change from '../settings/changes.js';
import type { SluiceSettings } from '@sluice/api/domain';
import type { DaemonContext } from './context.js';
import { unary } from './handler.js';

export function settingsService(ctx: DaemonContext): pb.SettingsServiceServer {
  const reply = (settings: SluiceSettings): { settings: pb.Settings } => ({
    settings: settingsToPb(settings),
  });
  const update = async (fn: (s: SluiceSettings) => SluiceSettings): Promise<{ settings: pb.Settings }> =>
    reply(await ctx.settings.update(fn));
  return {
    getSettings: unary(ctx, 'getSettings', () => reply(ctx.settings.settings)),
    setLockdownMode: unary(ctx, 'setLockdownMode', (req: pb.SetLockdownModeRequest) =>
      update((s) => ({ ...s, lockdownMode: req.enabled })),
    ),
    setAllowLan: unary(ctx, 'setAllowLan', (req: pb.SetAllowLanRequest) =>
      update((s) => ({ ...s, allowLan: req.allow })),
    ),
    setAutoConnect: unary(ctx, 'setAutoConnect', (req: pb.SetAutoConnectRequest) =>
      update((s) => ({ ...s, autoConnect: req.enabled })),
    ),
    setDnsOptions: unary(ctx, 'setDnsOptions', (req: pb.SetDnsOptionsRequest) => {
      const mode = dnsModeFromPb(req.dns?.mode ?? pb.DnsOptions_Mode.MODE_UNSPECIFIED);
      if (!req.dns || req.dns.mode === pb.DnsOptions_Mode.MODE_UNSPECIFIED || mode === undefined) {
        throw new ValidationError('dns.mode', 'give MODE_DEFAULT or MODE_CUSTOM');
      }
      const servers = req.dns.customServers;
      return update((s) => change.setDns(s, mode, servers));
    }),
    setMtu: unary(ctx, 'setMtu', (req: pb.SetMtuRequest) => update((s) => change.setMtu(s, req.mtu))),
    setEnableIpv6: unary(ctx, 'setEnableIpv6', (req: pb.SetEnableIpv6Request) =>
      update((s) => ({ ...s, tunnel: { ...s.tunnel, enableIpv6: req.enabled } })),
    ),
    setWireguardPort: unary(ctx, 'setWireguardPort', (req: pb.SetWireguardPortRequest) =>
      update((s) => change.setWireguardPort(s, req.port)),
    ),
    setBypassRanges: unary(ctx, 'setBypassRanges', (req: pb.SetBypassRangesRequest) =>
      update((s) => change.setBypassRanges(s, req.ranges)),
    ),
    addBypassRange: unary(ctx, 'addBypassRange', (req: pb.AddBypassRangeRequest) =>
      update((s) => change.addBypassRange(s, req.range)),
    ),
    removeBypassRange: unary(ctx, 'removeBypassRange', (req: pb.RemoveBypassRangeRequest) =>
      update((s) => change.removeBypassRange(s, req.range)),
    ),
  };
}
