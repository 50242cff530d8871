// The split-tunnel state as the API carries it.
import type { pb } from '@sluice/api';
import type { SplitTunnelStatus } from '../split-tunnel/service.js';

export function splitTunnelStateToPb(status: SplitTunnelStatus): pb.SplitTunnelState {
  return {
    enabled: status.enabled,
    pids: status.processes.map((p) => p.pid),
    apps: [...status.apps],
    mechanism: status.mechanism,
    detail: status.detail,
    processes: status.processes.map((p) => ({ pid: p.pid, command: p.command })),
  };
}
