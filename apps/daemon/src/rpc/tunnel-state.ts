// Engine state -> wire TunnelState (what GetTunnelState answers and EventsListen sends).
import { pb } from '@sluice/api';
import type { TunnelInfo } from '../tunnel/engine.js';
import type { ErrorCause, RelaySummary, TunnelState } from '../tunnel/state-machine.js';

const CAUSES: Record<ErrorCause, pb.ErrorState_Cause> = {
  'no-relay': pb.ErrorState_Cause.CAUSE_NO_RELAY,
  'no-identity': pb.ErrorState_Cause.CAUSE_NO_IDENTITY,
  'tunnel-setup': pb.ErrorState_Cause.CAUSE_TUNNEL_SETUP,
  firewall: pb.ErrorState_Cause.CAUSE_FIREWALL,
  dns: pb.ErrorState_Cause.CAUSE_DNS,
  routing: pb.ErrorState_Cause.CAUSE_ROUTING,
  'split-tunnel': pb.ErrorState_Cause.CAUSE_SPLIT_TUNNEL,
  internal: pb.ErrorState_Cause.CAUSE_INTERNAL,
};

export function tunnelStatsToPb(info: TunnelInfo): pb.TunnelStats {
  return {
    rxBytes: info.stats.rxBytes,
    txBytes: info.stats.txBytes,
    ...(info.stats.lastHandshakeAgeMs === null ? {} : { lastHandshakeAgeMs: info.stats.lastHandshakeAgeMs }),
  };
}

const relayToPb = (relay: RelaySummary): pb.RelayEndpoint => ({ ...relay });

export function tunnelStateToPb(
  state: TunnelState,
  reason: string,
  info: TunnelInfo | undefined,
  lockedDown: boolean,
  bypassRanges: readonly string[] = [],
): pb.TunnelState {
  const wrap = (value: pb.TunnelState['state']): pb.TunnelState => ({
    state: value,
    lockedDown,
    reason,
    bypassRanges: [...bypassRanges],
  });
  switch (state.kind) {
    case 'disconnected':
      return wrap({ $case: 'disconnected', value: {} });
    case 'connecting':
      return wrap({
        $case: 'connecting',
        value: { relay: state.relay && relayToPb(state.relay), attempt: state.attempt },
      });
    case 'connected':
      return wrap({
        $case: 'connected',
        value: {
          relay: relayToPb(state.relay),
          tunnel: info && {
            interface: info.interfaceName,
            mtu: info.mtu,
            addresses: [...info.addresses],
            stats: tunnelStatsToPb(info),
          },
        },
      });
    case 'disconnecting':
      return wrap({
        $case: 'disconnecting',
        value: {
          after:
            state.after === 'reconnect'
              ? pb.Disconnecting_After.AFTER_RECONNECT
              : pb.Disconnecting_After.AFTER_NOTHING,
        },
      });
    case 'error':
      return wrap({
        $case: 'error',
        value: { cause: CAUSES[state.cause], message: state.message, blocking: state.blocking },
      });
  }
}
