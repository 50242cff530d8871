// The WireGuard device as the tunnel sees it, whichever backend runs it, and the choice of backend:
// the kernel module when `ip link add … type wireguard` works, otherwise a supervised wireguard-go.
import type { Runner } from '../net/exec.js';
import type { DeviceConfig } from './config.js';
import { silentLog, type DeviceLog } from './log.js';
import type { DeviceStats } from './stats.js';
import { KernelDevice } from './kernel.js';
import { removeLinkIfPresent, validateInterfaceName } from './link.js';
import { WireGuardGoDevice, type WireGuardGoOptions } from './wireguard-go.js';

export type { DeviceConfig, PeerConfig } from './config.js';
export type { DeviceStats, PeerStats } from './stats.js';
export type { DeviceLog } from './log.js';

export type WireGuardBackend = 'kernel' | 'wireguard-go';

export type DeviceEvent =
  /** The device died (wireguard-go exited); the backend is bringing it back. */
  | { type: 'lost'; reason: string }
  /**
   * A new interface of the same name is up and, when `reconfigured`, has the last configure()d
   * WireGuard settings again. Its addresses, MTU, up state and routes are gone: whoever set them must
   * set them again (the tunnel state machine should treat this as a reconnect).
   */
  | { type: 'restored'; reconfigured: boolean; reason?: string }
  /** The backend gave up; the device is gone for good. */
  | { type: 'failed'; reason: string };

export interface WireGuardDevice {
  readonly backend: WireGuardBackend;
  /** The network interface's name. */
  readonly name: string;
  /**
   * Make the device exactly this: key, port, mark and a single peer (any other peer is removed).
   * Throws a ValidationError for bad input (before touching the device) or the backend's error.
   */
  configure(config: DeviceConfig): Promise<void>;
  stats(): Promise<DeviceStats>;
  /** Remove the interface (and stop wireguard-go). Safe to call twice. */
  close(): Promise<void>;
  /** Subscribe to the device's life events; returns the unsubscribe function. */
  onEvent(listener: (event: DeviceEvent) => void): () => void;
}

export interface OpenDeviceOptions extends Omit<WireGuardGoOptions, 'log'> {
  /** 'auto' (default) tries the kernel first. */
  backend?: 'auto' | WireGuardBackend;
  /** Kernel backend: where the private directory for the configuration pipe is made. */
  secretDir?: string;
  log?: DeviceLog;
}

/** Create the interface `options.name` with the best available backend. */
export async function openWireGuardDevice(options: OpenDeviceOptions): Promise<WireGuardDevice> {
  const { name, runner, backend = 'auto' } = options;
  const log = options.log ?? silentLog;
  validateInterfaceName(name);
  if (backend !== 'wireguard-go') {
    const device = await tryKernel(runner, name, options, log);
    if (device) return device;
    if (backend === 'kernel') throw new Error(`kernel WireGuard is not available for ${name}`);
  }
  return WireGuardGoDevice.open({ ...options, log });
}

async function tryKernel(
  runner: Runner,
  name: string,
  options: OpenDeviceOptions,
  log: DeviceLog,
): Promise<KernelDevice | undefined> {
  // A link of this name left by a crashed run (of either backend) would make `ip link add` fail.
  if (await removeLinkIfPresent(runner, name)) {
    log.info({ interface: name }, 'removed a WireGuard interface left by an earlier run');
  }
  try {
    const device = await KernelDevice.create(runner, name, {
      ...(options.now ? { now: options.now } : {}),
      ...(options.secretDir === undefined ? {} : { secretDir: options.secretDir }),
    });
    log.info({ interface: name, backend: 'kernel' }, 'WireGuard device created');
    return device;
  } catch (error) {
    if (options.backend === 'kernel') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    log.info({ interface: name, reason }, 'kernel WireGuard unavailable; using wireguard-go');
    return undefined;
  }
}
