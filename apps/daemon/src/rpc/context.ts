// What the RPC layer can reach. RPC files translate requests onto these; they make no system calls.
import type { pb } from '@sluice/api';
import type { DaemonConfig } from '../config.js';
import type { EventHub } from '../events/hub.js';
import type { IdentityStore } from '../identity/store.js';
import type { Logger, RotatingFile } from '../log.js';
import type { LatencyMeter } from '../relays/latency-meter.js';
import type { RelayManager } from '../relays/manager.js';
import type { SettingsManager } from '../settings/manager.js';
import type { TunnelEngine } from '../tunnel/engine.js';
import type { DnsBackend } from '../net/dns/index.js';
import type { Runner } from '../net/exec.js';
import type { Firewall } from '../net/firewall.js';
import type { SplitTunnel } from '../split-tunnel/service.js';
import type { CallerRegistry } from './callers.js';

export interface DaemonContext {
  config: DaemonConfig;
  log: Logger;
  /** Who is on each connection (from the kernel). */
  callers: CallerRegistry;
  /** The gid of group `sluice`, whose members may change things; undefined when there is none. */
  controlGid: number | undefined;
  logFile: RotatingFile | undefined;
  settings: SettingsManager;
  hub: EventHub;
  notices: pb.Notice[];
  engine: TunnelEngine;
  firewall: Firewall | undefined;
  dns: DnsBackend;
  runner: Runner;
  relays: RelayManager;
  /** Relay latency probes, shared by every caller. */
  latency: LatencyMeter;
  identity: IdentityStore;
  /** The tunnel state as last published (cheap, synchronous). */
  tunnelState(): pb.TunnelState;
  /** The tunnel state with fresh counters. */
  freshTunnelState(): Promise<pb.TunnelState>;
  relayList(): pb.RelayList;
  identityPb(): pb.Identity;
  splitTunnel: SplitTunnel;
  /** The split-tunnel state as last published (cheap, synchronous). */
  splitTunnelState(): pb.SplitTunnelState;
  /** The split-tunnel state read now (processes that exited are gone from it). */
  freshSplitTunnelState(): Promise<pb.SplitTunnelState>;
}
