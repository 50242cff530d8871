// The three phases of a bench run, one tool at a time and never two tunnels at once: the direct path,
// Sluice (sluiced in the client), wg-quick (wireguard-go). Each returns raw samples. The latency and
// throughput figures use the first relay only; relay switches use both, and Sluice's relay deaths and idle
// window whichever it picks. Sluice's switch, death and idle phases record a failure and go on (the helper
// brought back to disconnected), so one misbehaving phase does not cost the other figures.
import { type Lab, type LabRelay } from '@sluice/netlab';
import { FirstByteProbe } from './first-byte.js';
import { type IperfResult } from './iperf.js';
import { runIperf } from './iperf-run.js';
import {
  changedParts,
  clientHasLink,
  clientNetworkState,
  expectSourceAddress,
  waitTunnelGone,
} from './lab-checks.js';
import { type BenchOptions } from './options.js';
import { measureIdle, type IdleResult } from './idle.js';
import { measureSluiceDeath, type DeathRun } from './relay-death.js';
import {
  measureSluiceSwitch,
  measureWgQuickSwitch,
  type SluiceSwitchRun,
  type WgQuickSwitchRun,
} from './relay-switch.js';
import {
  connectSluice,
  disconnectSluice,
  importRelays,
  setRelayLocation,
  startSluice,
  type SluiceHelper,
} from './sluice.js';
import { tunnelFacts, type TunnelFacts } from './tunnel-facts.js';
import { wgQuickDown, wgQuickUp, writeWgQuickConf } from './wg-quick.js';

export type Log = (line: string) => void;

export interface Throughput {
  upload: IperfResult[];
  download: IperfResult[];
}

export interface ToolRuns {
  /** Sluice: Connect to `connected`; wg-quick: `wg-quick up`. */
  connectMs: number[];
  /** From Connect / starting `wg-quick up` to the first byte through the tunnel. */
  firstByteMs: number[];
  /** connectMs measured during the first-byte runs (the probe loads the machine a little). */
  connectDuringFirstByteMs: number[];
  /** Sluice: Disconnect to interface gone; wg-quick: `wg-quick down` to interface gone. */
  disconnectMs: number[];
  /** Attempts the probe made per first-byte run (one every PROBE_INTERVAL_MS). */
  probeAttempts: number[];
  throughput: Throughput;
  /** The tunnel as it was during the throughput tests. */
  facts: TunnelFacts | null;
  /** Parts of the client's network state that differ after the phase from before it (should be none). */
  clientStateChanged: string[];
}

/** Runs of a phase that records its failure instead of ending the bench. */
export interface PhaseRuns<T> {
  runs: T[];
  /** The failure that ended the phase early, null when it completed. */
  error: string | null;
  /** Not run (its option is 0). */
  skipped: boolean;
}

export interface SluiceRuns extends ToolRuns {
  relaySwitch: PhaseRuns<SluiceSwitchRun>;
  relayDeath: PhaseRuns<DeathRun>;
  idle: { result: IdleResult | null; error: string | null; skipped: boolean };
}

export interface WgQuickRuns extends ToolRuns {
  confPath: string;
  removedConfLines: string[];
  relaySwitch: WgQuickSwitchRun[];
}

/** The two relays of the lab: the first carries the latency and throughput figures. */
export type RelayPair = readonly [LabRelay, LabRelay];

async function measureThroughput(
  lab: Lab,
  options: BenchOptions,
  expectedLocal: string,
  label: string,
  log: Log,
): Promise<Throughput> {
  const result: Throughput = { upload: [], download: [] };
  for (let i = 0; i < options.iperfRuns; i++) {
    for (const direction of ['upload', 'download'] as const) {
      log(`${label}: iperf3 ${direction} ${i + 1}/${options.iperfRuns} (${options.iperfSeconds} s)`);
      const run = await runIperf(lab, direction, options.iperfSeconds);
      if (run.localHost !== expectedLocal)
        throw new Error(`${label}: iperf3 ran from ${run.localHost}, expected ${expectedLocal}`);
      result[direction].push(run);
    }
  }
  return result;
}

/** iperf3 without a tunnel, from the client's own address. */
export async function measureDirect(lab: Lab, options: BenchOptions, log: Log): Promise<Throughput> {
  await expectSourceAddress(lab, lab.clientAddress.v4, 'direct path');
  return measureThroughput(lab, options, lab.clientAddress.v4, 'direct', log);
}

function emptyRuns(): ToolRuns {
  return {
    connectMs: [],
    firstByteMs: [],
    connectDuringFirstByteMs: [],
    disconnectMs: [],
    probeAttempts: [],
    throughput: { upload: [], download: [] },
    facts: null,
    clientStateChanged: [],
  };
}

/**
 * Run `body`; when it fails (and the run was not interrupted), log it, bring Sluice back to disconnected
 * and return the failure. A helper that cannot be brought back ends the bench.
 */
async function tolerated(
  name: string,
  lab: Lab,
  helper: SluiceHelper,
  log: Log,
  signal: AbortSignal,
  body: () => Promise<void>,
): Promise<string | null> {
  try {
    await body();
    return null;
  } catch (error) {
    if (signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    log(`sluice: ${name} failed: ${message}`);
    await disconnectSluice(lab, helper);
    return message;
  }
}

export async function measureSluice(
  lab: Lab,
  relays: RelayPair,
  options: BenchOptions,
  log: Log,
  signal: AbortSignal,
): Promise<SluiceRuns> {
  const relay = relays[0];
  const runs: SluiceRuns = {
    ...emptyRuns(),
    relaySwitch: { runs: [], error: null, skipped: false },
    relayDeath: { runs: [], error: null, skipped: options.deathRuns === 0 },
    idle: { result: null, error: null, skipped: options.idleSeconds === 0 },
  };
  const before = await clientNetworkState(lab);
  log('sluice: starting sluiced in the client');
  const helper: SluiceHelper = await startSluice(lab);
  try {
    await importRelays(helper.client, relays);
    await setRelayLocation(helper.client, relay);
    for (let i = 0; i < options.warmupRuns; i++) {
      log(`sluice: warm-up ${i + 1}/${options.warmupRuns}`);
      await connectSluice(helper);
      await disconnectSluice(lab, helper);
    }
    for (let i = 0; i < options.runs; i++) {
      const connected = await connectSluice(helper);
      if (connected.relay !== relay.hostname) throw new Error(`Sluice connected to ${connected.relay}`);
      runs.connectMs.push(connected.connectedMs);
      runs.disconnectMs.push(await disconnectSluice(lab, helper));
      log(`sluice: connect ${i + 1}/${options.runs}: ${connected.connectedMs.toFixed(1)} ms`);
    }
    for (let i = 0; i < options.runs; i++) {
      const probe = await FirstByteProbe.start(lab, relay.address.v4);
      try {
        const connected = await connectSluice(helper);
        const done = await probe.result();
        runs.firstByteMs.push(done.firstByteAt - connected.connectCalledAt);
        runs.connectDuringFirstByteMs.push(connected.connectedMs);
        runs.probeAttempts.push(done.attempts);
        log(
          `sluice: first byte ${i + 1}/${options.runs}: ${done.firstByteAt - connected.connectCalledAt} ms`,
        );
      } finally {
        probe.stop();
      }
      await disconnectSluice(lab, helper);
    }
    const connected = await connectSluice(helper);
    if (connected.relay !== relay.hostname) throw new Error(`Sluice connected to ${connected.relay}`);
    await expectSourceAddress(lab, relay.address.v4, 'through Sluice');
    runs.facts = await tunnelFacts(lab, helper.interfaceName);
    runs.throughput = await measureThroughput(lab, options, lab.plan.tunnel.client.v4, 'sluice', log);
    await disconnectSluice(lab, helper);

    signal.throwIfAborted();
    log(`sluice: relay switches ${relays[0].hostname} <-> ${relays[1].hostname}`);
    runs.relaySwitch.error = await tolerated('relay switch', lab, helper, log, signal, () =>
      measureSluiceSwitch(lab, helper, relays, options, log, runs.relaySwitch.runs),
    );
    signal.throwIfAborted();
    if (!runs.relayDeath.skipped) {
      log('sluice: relay deaths');
      runs.relayDeath.error = await tolerated('relay death', lab, helper, log, signal, () =>
        measureSluiceDeath(lab, helper, relays, options, log, runs.relayDeath.runs),
      );
    }
    signal.throwIfAborted();
    if (!runs.idle.skipped) {
      runs.idle.error = await tolerated('idle window', lab, helper, log, signal, async () => {
        runs.idle.result = await measureIdle(lab, helper, relays, options, log, signal);
      });
    }
    await disconnectSluice(lab, helper);
  } finally {
    const code = await helper.stop();
    if (code !== 0) log(`sluice: sluiced exited with ${String(code)} (log: ${helper.logPath})`);
    // Report, but do not hide, the error that brought us here.
    await waitTunnelGone(lab, helper.interfaceName).catch((error: unknown) =>
      log(`sluice: ${String(error)}`),
    );
  }
  runs.clientStateChanged = changedParts(before, await clientNetworkState(lab));
  return runs;
}

export async function measureWgQuick(
  lab: Lab,
  relays: RelayPair,
  options: BenchOptions,
  log: Log,
  signal: AbortSignal,
): Promise<WgQuickRuns> {
  const relay = relays[0];
  const before = await clientNetworkState(lab);
  const conf = writeWgQuickConf(lab, relay);
  const runs: WgQuickRuns = {
    ...emptyRuns(),
    confPath: conf.path,
    removedConfLines: conf.removedLines,
    relaySwitch: [],
  };
  try {
    for (let i = 0; i < options.warmupRuns; i++) {
      log(`wg-quick: warm-up ${i + 1}/${options.warmupRuns}`);
      await wgQuickUp(lab, conf);
      await wgQuickDown(lab, conf);
    }
    for (let i = 0; i < options.runs; i++) {
      const up = await wgQuickUp(lab, conf);
      runs.connectMs.push(up.durationMs);
      const down = await wgQuickDown(lab, conf);
      runs.disconnectMs.push(down.durationMs);
      log(`wg-quick: up ${i + 1}/${options.runs}: ${up.durationMs.toFixed(1)} ms`);
    }
    for (let i = 0; i < options.runs; i++) {
      const probe = await FirstByteProbe.start(lab, relay.address.v4);
      try {
        const up = await wgQuickUp(lab, conf);
        const done = await probe.result();
        runs.firstByteMs.push(done.firstByteAt - up.startedAt);
        runs.connectDuringFirstByteMs.push(up.durationMs);
        runs.probeAttempts.push(done.attempts);
        log(`wg-quick: first byte ${i + 1}/${options.runs}: ${done.firstByteAt - up.startedAt} ms`);
      } finally {
        probe.stop();
      }
      await wgQuickDown(lab, conf);
    }
    await wgQuickUp(lab, conf);
    await expectSourceAddress(lab, relay.address.v4, 'through wg-quick');
    runs.facts = await tunnelFacts(lab, conf.interfaceName);
    runs.throughput = await measureThroughput(lab, options, lab.plan.tunnel.client.v4, 'wg-quick', log);
    await wgQuickDown(lab, conf);
    signal.throwIfAborted();
    log(`wg-quick: relay switches ${relays[0].hostname} <-> ${relays[1].hostname}`);
    runs.relaySwitch = await measureWgQuickSwitch(lab, relays, options, log);
  } finally {
    if (await clientHasLink(lab, conf.interfaceName))
      await wgQuickDown(lab, conf).catch((error: unknown) => log(`wg-quick: ${String(error)}`));
  }
  runs.clientStateChanged = changedParts(before, await clientNetworkState(lab));
  return runs;
}
