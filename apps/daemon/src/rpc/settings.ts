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
  const { log } = ctx;
  return {
    getSettings: unary(log, 'GetSettings', () => reply(ctx.settings.settings)),
    setLockdownMode: unary(log, 'SetLockdownMode', (req: pb.SetLockdownModeRequest) =>
      update((s) => ({ ...s, lockdownMode: req.enabled })),
    ),
    setAllowLan: unary(log, 'SetAllowLan', (req: pb.SetAllowLanRequest) =>
      update((s) => ({ ...s, allowLan: req.allow })),
    ),
    setAutoConnect: unary(log, 'SetAutoConnect', (req: pb.SetAutoConnectRequest) =>
      update((s) => ({ ...s, autoConnect: req.enabled })),
    ),
    setDnsOptions: unary(log, 'SetDnsOptions', (req: pb.SetDnsOptionsRequest) => {
      const mode = dnsModeFromPb(req.dns?.mode ?? pb.DnsOptions_Mode.MODE_UNSPECIFIED);
      if (!req.dns || req.dns.mode === pb.DnsOptions_Mode.MODE_UNSPECIFIED || mode === undefined) {
        throw new ValidationError('dns.mode', 'give MODE_DEFAULT or MODE_CUSTOM');
      }
      const servers = req.dns.customServers;
      return update((s) => change.setDns(s, mode, servers));
    }),
    setMtu: unary(log, 'SetMtu', (req: pb.SetMtuRequest) => update((s) => change.setMtu(s, req.mtu))),
    setEnableIpv6: unary(log, 'SetEnableIpv6', (req: pb.SetEnableIpv6Request) =>
      update((s) => ({ ...s, tunnel: { ...s.tunnel, enableIpv6: req.enabled } })),
    ),
    setWireguardPort: unary(log, 'SetWireguardPort', (req: pb.SetWireguardPortRequest) =>
      update((s) => change.setWireguardPort(s, req.port)),
    ),
    setBypassRanges: unary(log, 'SetBypassRanges', (req: pb.SetBypassRangesRequest) =>
      update((s) => change.setBypassRanges(s, req.ranges)),
    ),
    addBypassRange: unary(log, 'AddBypassRange', (req: pb.AddBypassRangeRequest) =>
      update((s) => change.addBypassRange(s, req.range)),
    ),
    removeBypassRange: unary(log, 'RemoveBypassRange', (req: pb.RemoveBypassRangeRequest) =>
      update((s) => change.removeBypassRange(s, req.range)),
    ),
  };
}
