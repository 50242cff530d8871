// Relay switch, connected to connected through another relay. Sluice: connected via relay A, the location
// constraint set to relay B's country and city, timed from just before SetRelayConstraints to the first
// `connected` event via B (subscribed before the call). wg-quick: `wg-quick down` of A's file plus
// `wg-quick up` of B's (the same interface name), their two durations added. Both alternate A->B and B->A,
// so every timed run is a switch.
import { type Lab, type LabRelay } from '@sluice/netlab';
import { clientHasLink, expectSourceAddress } from './lab-checks.js';
import { type Log } from './measure.js';
import { type BenchOptions } from './options.js';
import {
  connectSluice,
  disconnectSluice,
  locationConstraints,
  setRelayLocation,
  type SluiceHelper,
} from './sluice.js';
import { describeState, relayOf, TunnelStateWatch } from './tunnel-events.js';
import { wgQuickDown, wgQuickUp, writeWgQuickConf, type WgQuickConf } from './wg-quick.js';

export interface SwitchRun {
  /** Hostnames. */
  from: string;
  to: string;
  /** The timed figure. */
  ms: number;
}

export interface SluiceSwitchRun extends SwitchRun {
  /** The states Sluice went through on the way, in words. */
  passed: string[];
}

export interface WgQuickSwitchRun extends SwitchRun {
  downMs: number;
  upMs: number;
}

export const SWITCH_TIMEOUT_MS = 30_000;

/** The relay of the pair that is not `current`. */
function other(relays: readonly [LabRelay, LabRelay], current: LabRelay): LabRelay {
  return current === relays[0] ? relays[1] : relays[0];
}

/** Sluice is connected: move it to `target`'s location, timed to the first `connected` via `target`. */
export async function switchSluice(
  helper: SluiceHelper,
  target: LabRelay,
): Promise<{ ms: number; passed: string[] }> {
  const watch = await TunnelStateWatch.open(helper.client);
  try {
    const initial = watch.initialState;
    if (initial?.state?.$case !== 'connected')
      throw new Error(
        `Sluice is ${initial === undefined ? 'in no state' : describeState(initial)} before the switch`,
      );
    const started = performance.now();
    await helper.client.relays.setRelayConstraints({ constraints: locationConstraints(target) });
    const { state, passed } = await watch.until(
      (s) => s.kind === 'connected' && relayOf(s.state) === target.hostname,
      ['connected', 'connecting', 'disconnecting'],
      SWITCH_TIMEOUT_MS,
      `connected via ${target.hostname}`,
    );
    return { ms: state.at - started, passed: passed.map((p) => describeState(p.state)) };
  } finally {
    watch.close();
  }
}

/**
 * Sluice is disconnected: connect via relays[0], then switch back and forth (warm-up switches first,
 * untimed), pushing each timed run into `runs` as it completes; ends disconnected.
 */
export async function measureSluiceSwitch(
  lab: Lab,
  helper: SluiceHelper,
  relays: readonly [LabRelay, LabRelay],
  options: BenchOptions,
  log: Log,
  runs: SluiceSwitchRun[],
): Promise<void> {
  await setRelayLocation(helper.client, relays[0]);
  const first = await connectSluice(helper);
  if (first.relay !== relays[0].hostname)
    throw new Error(`Sluice connected via ${first.relay}, expected ${relays[0].hostname}`);
  let current = relays[0];
  const total = options.warmupRuns + options.runs;
  for (let i = 0; i < total; i++) {
    const target = other(relays, current);
    const { ms, passed } = await switchSluice(helper, target);
    const timed = i >= options.warmupRuns;
    if (timed) runs.push({ from: current.hostname, to: target.hostname, ms, passed });
    log(
      `sluice: relay switch ${timed ? `${i - options.warmupRuns + 1}/${options.runs}` : 'warm-up'} ` +
        `${current.hostname} -> ${target.hostname}: ${ms.toFixed(1)} ms`,
    );
    current = target;
  }
  await expectSourceAddress(lab, current.address.v4, `Sluice after switching to ${current.hostname}`);
  await disconnectSluice(lab, helper);
}

/** wg-quick up via relays[0], then `down` + `up` back and forth; ends with the interface gone. */
export async function measureWgQuickSwitch(
  lab: Lab,
  relays: readonly [LabRelay, LabRelay],
  options: BenchOptions,
  log: Log,
): Promise<WgQuickSwitchRun[]> {
  const confs = new Map<LabRelay, WgQuickConf>(
    relays.map((relay) => [relay, writeWgQuickConf(lab, relay, `switch-${relay.name}`)]),
  );
  const confOf = (relay: LabRelay): WgQuickConf => confs.get(relay) as WgQuickConf;
  const runs: WgQuickSwitchRun[] = [];
  let up: WgQuickConf | null = null;
  try {
    let current = relays[0];
    await wgQuickUp(lab, confOf(current));
    up = confOf(current);
    const total = options.warmupRuns + options.runs;
    for (let i = 0; i < total; i++) {
      const target = other(relays, current);
      const down = await wgQuickDown(lab, confOf(current));
      up = null;
      const upB = await wgQuickUp(lab, confOf(target));
      up = confOf(target);
      const timed = i >= options.warmupRuns;
      const ms = down.durationMs + upB.durationMs;
      if (timed)
        runs.push({
          from: current.hostname,
          to: target.hostname,
          ms,
          downMs: down.durationMs,
          upMs: upB.durationMs,
        });
      log(
        `wg-quick: relay switch ${timed ? `${i - options.warmupRuns + 1}/${options.runs}` : 'warm-up'} ` +
          `${current.hostname} -> ${target.hostname}: ${ms.toFixed(1)} ms`,
      );
      current = target;
    }
    await expectSourceAddress(lab, current.address.v4, `wg-quick after switching to ${current.hostname}`);
    await wgQuickDown(lab, confOf(current));
    up = null;
  } finally {
    const left = up;
    if (left !== null && (await clientHasLink(lab, left.interfaceName)))
      await wgQuickDown(lab, left).catch((error: unknown) => log(`wg-quick: ${String(error)}`));
  }
  return runs;
}
