// Relay death, Sluice only (wg-quick has no counterpart: it keeps sending to a dead relay). Connected with
// no location constraint, the connected relay is killed (netlab's killRelay: wireguard-go and the relay's
// resolver get SIGKILL, the namespace stays) and the time is taken from just before the kill to the first
// `connected` event via another relay. The dead relay is revived and answers again before the next run,
// which kills the relay Sluice is connected to then.
import { type Lab, type LabRelay, waitFor } from '@sluice/netlab';
import { type Log } from './measure.js';
import { type BenchOptions } from './options.js';
import { connectSluice, setRelayLocation, type SluiceHelper } from './sluice.js';
import { describeState, relayOf, TunnelStateWatch } from './tunnel-events.js';

export interface DeathRun {
  /** Hostname of the relay that was killed. */
  killed: string;
  /** Hostname of the relay Sluice was connected through afterwards. */
  via: string;
  /** From just before the kill to the first `connected` event via `via`. */
  ms: number;
  /** How long netlab took to kill the relay (part of `ms`). */
  killMs: number;
  /** The states Sluice went through on the way, in words. */
  passed: string[];
}

export const DEATH_TIMEOUT_MS = 30_000;

function relayNamed(relays: readonly LabRelay[], hostname: string): LabRelay {
  const relay = relays.find((r) => r.hostname === hostname);
  if (relay === undefined)
    throw new Error(`Sluice is connected via ${hostname || 'no relay'}, not a lab relay`);
  return relay;
}

/** Wait until a revived relay's wireguard-go is configured and listening on its port again. */
export async function waitRelayAnswers(lab: Lab, relay: LabRelay): Promise<void> {
  await waitFor(
    async () => {
      const out = await lab.exec(relay.name, ['wg', 'show', relay.wgInterface, 'listen-port'], {
        allowFailure: true,
        timeoutMs: 5_000,
      });
      return out.code === 0 && out.stdout.trim() === String(relay.port);
    },
    { what: `${relay.hostname} to listen on ${relay.port} again`, timeoutMs: 20_000, intervalMs: 50 },
  );
}

/** Kill the relay Sluice is connected through; time to connected via another. The relay is revived. */
async function oneDeath(lab: Lab, helper: SluiceHelper, relays: readonly LabRelay[]): Promise<DeathRun> {
  const watch = await TunnelStateWatch.open(helper.client);
  let victim: LabRelay | undefined;
  let failure: Error | undefined;
  const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
  let run: DeathRun | undefined;
  try {
    const initial = watch.initialState;
    if (initial?.state?.$case !== 'connected')
      throw new Error(
        `Sluice is ${initial === undefined ? 'in no state' : describeState(initial)} before the kill`,
      );
    victim = relayNamed(relays, relayOf(initial));
    const dead = victim.hostname;
    const started = performance.now();
    await lab.killRelay(victim.name);
    const killMs = performance.now() - started;
    const { state, passed } = await watch.until(
      (s) => s.kind === 'connected' && relayOf(s.state) !== dead && relayOf(s.state) !== '',
      ['connected', 'connecting', 'disconnecting'],
      DEATH_TIMEOUT_MS,
      `connected via a relay other than ${dead}`,
    );
    run = {
      killed: dead,
      via: relayOf(state.state),
      ms: state.at - started,
      killMs,
      passed: passed.map((p) => describeState(p.state)),
    };
  } catch (error) {
    failure = asError(error);
  } finally {
    watch.close();
  }
  if (victim !== undefined) {
    try {
      await lab.reviveRelay(victim.name);
      await waitRelayAnswers(lab, victim);
    } catch (error) {
      // The first failure is the one to report.
      failure ??= asError(error);
    }
  }
  if (failure !== undefined) throw failure;
  return run as DeathRun;
}

/**
 * Sluice is disconnected: any location, connect, then `options.deathRuns` deaths, each pushed into `runs`
 * as it completes. Ends connected (through whichever relay Sluice chose last), every relay alive.
 */
export async function measureSluiceDeath(
  lab: Lab,
  helper: SluiceHelper,
  relays: readonly LabRelay[],
  options: BenchOptions,
  log: Log,
  runs: DeathRun[],
): Promise<void> {
  await setRelayLocation(helper.client, null);
  const connected = await connectSluice(helper);
  log(`sluice: connected via ${connected.relay} with no location constraint`);
  for (let i = 0; i < options.deathRuns; i++) {
    const run = await oneDeath(lab, helper, relays);
    runs.push(run);
    log(
      `sluice: relay death ${i + 1}/${options.deathRuns}: ${run.killed} killed, connected via ${run.via} ` +
        `after ${run.ms.toFixed(1)} ms (${run.passed.length} states on the way)`,
    );
  }
}
