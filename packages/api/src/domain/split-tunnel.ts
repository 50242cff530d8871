// Split tunnelling as clients show it (and as the helper describes it): built from the wire state.
import type * as pb from '../gen/sluice/v1/split_tunnel.js';

export type SplitTunnelMechanism = 'cgroup2' | 'net_cls' | 'unavailable';

export interface ExcludedProcess {
  pid: number;
  /** The command line, control characters escaped, cut to a readable length. */
  command: string;
}

export interface SplitTunnelStatus {
  enabled: boolean;
  mechanism: SplitTunnelMechanism;
  /** Why it is unavailable; otherwise the cgroup layout it works on, in words. */
  detail: string;
  /** Programs excluded whenever they run. */
  apps: string[];
  /** Processes outside the tunnel now. */
  processes: ExcludedProcess[];
}

const mechanismOf = (text: string): SplitTunnelMechanism =>
  text === 'cgroup2' || text === 'net_cls' ? text : 'unavailable';

export function splitTunnelFromPb(state: pb.SplitTunnelState | undefined): SplitTunnelStatus {
  return {
    enabled: state?.enabled ?? false,
    mechanism: mechanismOf(state?.mechanism ?? ''),
    detail: state?.detail ?? '',
    apps: [...(state?.apps ?? [])],
    processes: (state?.processes ?? []).map((p) => ({ pid: p.pid, command: p.command })),
  };
}
