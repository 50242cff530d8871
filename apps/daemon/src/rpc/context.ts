// What the RPC layer can reach. RPC files translate requests onto these; they make no system calls.
import type { pb } from '@sluice/api';
import type { DaemonConfig } from '../config.js';
import type { EventHub } from '../events/hub.js';
import type { Logger, RotatingFile } from '../log.js';
import type { SettingsManager } from '../settings/manager.js';

export interface DaemonContext {
  config: DaemonConfig;
  log: Logger;
  logFile: RotatingFile | undefined;
  settings: SettingsManager;
  hub: EventHub;
  notices: pb.Notice[];
  tunnelState(): pb.TunnelState;
  relayList(): pb.RelayList;
  splitTunnelState(): pb.SplitTunnelState;
}
