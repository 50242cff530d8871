// One tunnel as it was set up: the device, the `ip` steps that ran, whether DNS was switched. It is
// built step by step by an attempt and knows how to take down exactly what it holds, on any path:
// a failure half-way, a cancelled attempt, a disconnect.
import type { Logger } from 'pino';
import type { DnsBackend } from '../net/dns/index.js';
import type { Runner } from '../net/exec.js';
import { mssFor } from '../net/mtu.js';
import type { TunnelRouting } from '../net/routing.js';
import { applySteps, undoSteps, type Step } from '../net/steps.js';
import { mtuForPath } from './connectivity/path-mtu.js';
import type { DeviceEvent, WireGuardDevice } from './device.js';
import type { ConnectPlan } from './plan.js';
import type { MssClamp } from './policy.js';
import { errorText, type TunnelInfo } from './types.js';

export interface SessionParts {
  runner: Runner;
  log: Logger;
  dns: DnsBackend;
}

export class TunnelSession {
  private deviceValue: WireGuardDevice | undefined;
  private stopDeviceEvents: (() => void) | undefined;
  private steps: Step[] = [];
  private dnsApplied = false;
  private down: Promise<void> | undefined;
  /** The link as configured (its MTU follows path-MTU discovery). */
  routing: TunnelRouting | undefined;
  /** Set when the path is narrower than the link may be (IPv6 needs 1280): TCP is clamped to fit. */
  mssClamp: MssClamp | undefined;
  /** Cancels work that runs beside the session (path-MTU probes) when it is taken down. */
  private readonly background = new AbortController();

  constructor(
    readonly plan: ConnectPlan,
    private readonly parts: SessionParts,
  ) {}

  get device(): WireGuardDevice | undefined {
    return this.deviceValue;
  }

  get backgroundSignal(): AbortSignal {
    return this.background.signal;
  }

  get takenDown(): boolean {
    return this.down !== undefined;
  }

  /** The device is this session's from now on; its events go to `onEvent` until tear-down. */
  adoptDevice(device: WireGuardDevice, onEvent: (event: DeviceEvent) => void): void {
    this.deviceValue = device;
    this.stopDeviceEvents = device.onEvent(onEvent);
  }

  /** Run `steps` as part of this session (undone with it). */
  async apply(steps: readonly Step[], signal?: AbortSignal): Promise<void> {
    this.steps.push(...(await applySteps(this.parts.runner, steps, signal)));
  }

  async applyDns(servers: readonly string[]): Promise<void> {
    const device = this.deviceValue;
    if (!device) throw new Error('no device to point DNS at');
    await this.parts.dns.apply(device.name, servers);
    this.dnsApplied = true;
  }

  /**
   * Make the link fit a path of `pathMtu` bytes: lower the MTU as far as the families allow, and clamp
   * TCP below that when IPv6 keeps the link at 1280. Returns true when the firewall policy must be
   * applied again (the clamp changed).
   */
  async fitPath(pathMtu: number): Promise<boolean> {
    const routing = this.routing;
    if (!routing || !this.deviceValue) return false;
    const { linkMtu, clampTcp } = mtuForPath(pathMtu, routing.families);
    if (linkMtu < routing.mtu) {
      await this.apply([
        {
          intent: `lower the MTU of ${routing.interfaceName} to ${linkMtu}`,
          args: ['link', 'set', 'dev', routing.interfaceName, 'mtu', String(linkMtu)],
          ownedByLink: true,
        },
      ]);
      routing.mtu = linkMtu;
    }
    if (!clampTcp) return false;
    const clamp: MssClamp = {};
    for (const family of routing.families) clamp[family] = mssFor(pathMtu, family);
    const changed = JSON.stringify(clamp) !== JSON.stringify(this.mssClamp);
    this.mssClamp = clamp;
    return changed;
  }

  async info(): Promise<TunnelInfo | undefined> {
    const { deviceValue: device, routing } = this;
    if (!device || !routing || this.down) return undefined;
    const stats = await device.stats().catch(() => undefined);
    if (!stats) return undefined;
    return { interfaceName: device.name, mtu: routing.mtu, addresses: routing.addresses, stats };
  }

  /**
   * Remove what this session set up: DNS back and its rules and routes (at once: they are
   * independent), then the device, which takes its addresses with it. Resolves once routing is gone;
   * `closed` once the device is too (stopping wireguard-go takes tens of milliseconds, which the next
   * firewall policy need not wait for). Safe to call twice.
   */
  takeDown(): Promise<void> {
    if (!this.down) {
      this.down = this.removeRouting();
      this.closedValue = this.down.then(() => this.closeDevice());
    }
    return this.down;
  }

  /** Resolves when the device is gone too (at once when takeDown was never called). */
  get closed(): Promise<void> {
    return this.closedValue;
  }

  private closedValue: Promise<void> = Promise.resolve();

  private async removeRouting(): Promise<void> {
    const { log, runner, dns } = this.parts;
    this.background.abort();
    this.stopDeviceEvents?.();
    const revertDns = this.dnsApplied
      ? dns.revert().catch((error: unknown) => log.error({ err: error }, 'could not restore DNS'))
      : undefined;
    const undo = undoSteps(runner, this.steps, { linkRemoved: this.deviceValue !== undefined }).then(
      (failures) => {
        for (const failure of failures) log.warn({ err: failure.message }, 'tear-down step failed');
      },
    );
    await Promise.all([revertDns, undo]);
  }

  private async closeDevice(): Promise<void> {
    await this.deviceValue
      ?.close()
      .catch((error: unknown) =>
        this.parts.log.error({ err: errorText(error) }, 'could not remove the WireGuard device'),
      );
  }
}
