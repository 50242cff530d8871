// The tunnel status as clients show it: the documented `sluice status --json` shape (DESIGN.md
// "Contracts"), built from the wire TunnelState. Shared by the CLI and the desktop app.
import type * as pb from '../gen/sluice/v1/tunnel.js';

export type TunnelStateName = 'disconnected' | 'connecting' | 'connected' | 'disconnecting' | 'error';

export type ErrorCauseName =
  | 'no-relay'
  | 'no-identity'
  | 'tunnel-setup'
  | 'firewall'
  | 'dns'
  | 'routing'
  | 'split-tunnel'
  | 'internal'
  | 'unknown';

export interface TunnelStatus {
  state: TunnelStateName;
  lockedDown: boolean;
  relay?: { hostname: string; country: string; city: string; endpoint: string };
  tunnel?: {
    interface: string;
    mtu: number;
    rxBytes: number;
    txBytes: number;
    lastHandshakeAgeMs: number | null;
  };
  error?: { cause: ErrorCauseName; message: string; blocking: boolean };
  /** Bypass ranges in force (traffic to them leaves outside the tunnel); present only when some are. */
  bypassRanges?: string[];
}

// Numbers of pb.ErrorState_Cause; kept here as data so this module imports no enum values.
const CAUSE_NAMES: Record<number, ErrorCauseName> = {
  1: 'no-relay',
  2: 'no-identity',
  3: 'tunnel-setup',
  4: 'firewall',
  5: 'dns',
  6: 'routing',
  7: 'split-tunnel',
  8: 'internal',
};

function relayOf(relay: pb.RelayEndpoint | undefined): TunnelStatus['relay'] {
  if (!relay) return undefined;
  return { hostname: relay.hostname, country: relay.country, city: relay.city, endpoint: relay.endpoint };
}

export function tunnelStatusFromPb(state: pb.TunnelState | undefined): TunnelStatus {
  const status = statusWithoutBypass(state);
  const bypass = state?.bypassRanges ?? [];
  return bypass.length > 0 ? { ...status, bypassRanges: [...bypass] } : status;
}

function statusWithoutBypass(state: pb.TunnelState | undefined): TunnelStatus {
  const lockedDown = state?.lockedDown ?? false;
  const s = state?.state;
  switch (s?.$case) {
    case 'connecting':
      return { state: 'connecting', lockedDown, relay: relayOf(s.value.relay) };
    case 'connected': {
      const info = s.value.tunnel;
      return {
        state: 'connected',
        lockedDown,
        relay: relayOf(s.value.relay),
        tunnel: info && {
          interface: info.interface,
          mtu: info.mtu,
          rxBytes: info.stats?.rxBytes ?? 0,
          txBytes: info.stats?.txBytes ?? 0,
          lastHandshakeAgeMs: info.stats?.lastHandshakeAgeMs ?? null,
        },
      };
    }
    case 'disconnecting':
      return { state: 'disconnecting', lockedDown };
    case 'error':
      return {
        state: 'error',
        lockedDown,
        error: {
          cause: CAUSE_NAMES[s.value.cause] ?? 'unknown',
          message: s.value.message,
          blocking: s.value.blocking,
        },
      };
    default:
      return { state: 'disconnected', lockedDown };
  }
}

/** Bytes in words: 1.5 MiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
