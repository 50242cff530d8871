// sluiced's own footprint (issue 13), measured on a helper of its own in the lab client:
// - RSS idle after start: the 577-relay list (../shared/fixtures, Mullvad format) and the lab relay imported,
//   the helper restarted so it loads them from its state dir, VmRSS HELPER_SETTLE_MS after it answers;
// - RSS connected: connected through the lab relay with one stats listener, VmRSS sampled every
//   RSS_SAMPLE_EVERY_MS for the window (10 min in the full bench), the last sample and the slope of the
//   second half (growing or not);
// - CPU idle: still connected, the listener gone, utime + stime over CPU_IDLE_SECONDS;
// - event fan-out: FAN_OUT_SUBSCRIBERS EventsListen streams (one connection each, as separate clients
//   are), SetAllowLan toggled, the time from the call to the last stream receiving the settings event.
// Nothing here connects to the fixture's relays: the location constraint names the lab relay's hostname.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { HelperClient, pb } from '@sluice/api';
import { HELPER_BUNDLE, type Lab, type LabRelay } from '@sluice/netlab';
import { type Log } from './measure.js';
import { clockTicksPerSecond, findHelperPid, readProcessUsage, type ProcessUsage } from './proc.js';
import { AsyncQueue } from './queue.js';
import { connectSluice, disconnectSluice, startSluice, type SluiceHelper } from './sluice.js';

export const RELAY_FIXTURE = new URL('../../../../shared/fixtures/mullvad-relays-api.json', import.meta.url);
/**
 * How long the restarted helper is left alone before its idle RSS is read: past what start-up does
 * on its own (V8's collections about 8 s in; the helper gives unused memory back at 15 s).
 */
export const HELPER_SETTLE_MS = 20_000;
export const RSS_SAMPLE_EVERY_MS = 5_000;
export const CPU_IDLE_SECONDS = 60;
export const FAN_OUT_SUBSCRIBERS = 50;
/** SetAllowLan changes timed (after one untimed). */
export const FAN_OUT_CHANGES = 20;
/** A stream that has not seen the change by then counts as a failure. */
const FAN_OUT_TIMEOUT_MS = 10_000;

export interface RssSample {
  /** Seconds since the window opened. */
  atSeconds: number;
  rssKb: number;
}

export interface HelperMemory {
  rssKb: number;
  /** RssAnon and RssFile of /proc/<pid>/status: the heap and what is mapped from files (code, libraries). */
  rssAnonKb: number | null;
  rssFileKb: number | null;
  /** Pss of /proc/<pid>/smaps_rollup: RSS with each shared page divided among the processes mapping it. */
  pssKb: number | null;
}

export interface HelperFootprintRuns {
  /** The helper measured, relative to the checkout: the bundle the packages ship. */
  helper: string;
  /** Relays in the helper's list (the fixture's and the lab relay). */
  relayCount: number;
  idle: HelperMemory;
  connected: {
    /** The window asked for. */
    minutes: number;
    relay: string;
    samples: RssSample[];
    /** At the end of the window. */
    last: HelperMemory;
  };
  cpuIdle: { seconds: number; cpuTicks: number; ticksPerSecond: number };
  fanOut: { subscribers: number; ms: number[] };
}

/** A `Name:   N kB` field of a /proc text (status, smaps_rollup), in kB. */
function kbField(text: string, name: string): number | null {
  const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

/** VmRSS, RssAnon and RssFile (kB) of a /proc/<pid>/status text, and Pss of a smaps_rollup text. */
export function parseMemory(status: string, smapsRollup = ''): HelperMemory | null {
  const rssKb = kbField(status, 'VmRSS');
  if (rssKb === null) return null;
  return {
    rssKb,
    rssAnonKb: kbField(status, 'RssAnon'),
    rssFileKb: kbField(status, 'RssFile'),
    pssKb: kbField(smapsRollup, 'Pss'),
  };
}

function readMemory(pid: number, withPss = false): HelperMemory {
  const rollup = withPss ? readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8') : '';
  const memory = parseMemory(readFileSync(`/proc/${pid}/status`, 'utf8'), rollup);
  if (memory === null) throw new Error(`/proc/${pid}/status has no VmRSS`);
  return memory;
}

/** The helper as it ships; the bench builds it (apps/desktop's build) before it runs. */
function shippedHelper(): string {
  if (!existsSync(HELPER_BUNDLE))
    throw new Error(`${HELPER_BUNDLE} does not exist: build the workspace first (npm run build)`);
  return HELPER_BUNDLE;
}

/**
 * The least-squares slope of RSS over time from `fromSeconds` on, in MiB per minute; null with fewer than
 * three samples there. Robust to the saw-tooth of garbage collection in a way first-to-last is not.
 */
export function rssSlopeMibPerMinute(samples: readonly RssSample[], fromSeconds: number): number | null {
  const tail = samples.filter((s) => s.atSeconds >= fromSeconds);
  if (tail.length < 3) return null;
  const meanT = tail.reduce((sum, s) => sum + s.atSeconds, 0) / tail.length;
  const meanR = tail.reduce((sum, s) => sum + s.rssKb, 0) / tail.length;
  let covariance = 0;
  let variance = 0;
  for (const s of tail) {
    covariance += (s.atSeconds - meanT) * (s.rssKb - meanR);
    variance += (s.atSeconds - meanT) ** 2;
  }
  if (variance === 0) return null;
  return ((covariance / variance) * 60) / 1024;
}

/** The fixture (577 relays, Mullvad format) and then the lab relay, whose hostname replaces the fixture's. */
async function importFixtureAndLabRelay(helper: SluiceHelper, relay: LabRelay): Promise<number> {
  await helper.client.relays.importRelays({
    files: [
      {
        name: 'relays.json',
        content: readFileSync(RELAY_FIXTURE, 'utf8'),
        format: pb.ImportFile_Format.FORMAT_MULLVAD_JSON,
      },
    ],
    replace: true,
  });
  await helper.client.relays.importRelays({
    files: [
      {
        name: `${relay.hostname}.conf`,
        content: readFileSync(relay.confPath, 'utf8'),
        format: pb.ImportFile_Format.FORMAT_WG_QUICK,
      },
    ],
    replace: false,
  });
  // The lab relay alone, by hostname: the fixture's addresses are real hosts, never to be contacted.
  await helper.client.relays.setRelayConstraints({
    constraints: {
      location: { country: relay.country, city: relay.city, hostname: relay.hostname },
      providers: [],
      ownership: pb.Ownership.OWNERSHIP_ANY,
    },
  });
  const { relayList } = await helper.client.relays.getRelayList({});
  return (relayList?.countries ?? []).reduce(
    (sum, country) => sum + country.cities.reduce((n, city) => n + city.relays.length, 0),
    0,
  );
}

/** One stats listener; resolves once its snapshot arrived. */
async function openStatsListener(client: HelperClient): Promise<{ cancel(): void; statsSeen(): number }> {
  const snapshot = new AsyncQueue<true>();
  let stats = 0;
  const stream = client.listenEvents(
    (event) => {
      if (event.event?.$case === 'snapshot') snapshot.push(true);
      if (event.event?.$case === 'tunnelStats') stats++;
    },
    (error) => snapshot.end(error ?? new Error('the stats listener was closed')),
    true,
  );
  try {
    await snapshot.shift(10_000, 'the stats listener snapshot');
  } catch (error) {
    stream.cancel();
    throw error;
  }
  return { cancel: () => stream.cancel(), statsSeen: () => stats };
}

/** VmRSS every RSS_SAMPLE_EVERY_MS for `minutes`, progress every minute; ends early on `signal`. */
async function sampleRss(pid: number, minutes: number, log: Log, signal: AbortSignal): Promise<RssSample[]> {
  const samples: RssSample[] = [];
  const start = performance.now();
  const end = start + minutes * 60_000;
  let nextLog = start + 60_000;
  for (let next = start; ; next += RSS_SAMPLE_EVERY_MS) {
    signal.throwIfAborted();
    const now = performance.now();
    if (next > now) await delay(next - now, undefined, { signal });
    samples.push({
      atSeconds: Math.round((performance.now() - start) / 100) / 10,
      rssKb: readMemory(pid).rssKb,
    });
    if (performance.now() >= nextLog) {
      log(
        `sluiced: connected ${Math.round((performance.now() - start) / 60_000)}/${minutes} min, RSS ` +
          `${((samples.at(-1)?.rssKb ?? 0) / 1024).toFixed(1)} MiB`,
      );
      nextLog += 60_000;
    }
    if (next + RSS_SAMPLE_EVERY_MS > end) return samples;
  }
}

/**
 * `count` subscribers, each on its own connection; `change()` is timed from its call to the moment the
 * last subscriber saw a settings event with `allowLan === expected`.
 */
async function timeFanOut(
  socket: string,
  subscribers: number,
  changes: number,
  change: (client: HelperClient, allow: boolean) => Promise<unknown>,
  control: HelperClient,
  initialAllowLan: boolean,
): Promise<number[]> {
  const clients = Array.from({ length: subscribers }, () => new HelperClient({ socketPath: socket }));
  // Each subscriber's arrival of the settings event it waits for: the round's expected value.
  let expected = initialAllowLan;
  let waiting = 0;
  let lastArrival = 0;
  let roundDone: (() => void) | undefined;
  const seen = new Array<boolean>(subscribers).fill(true);
  const snapshots = new AsyncQueue<number>();
  const streams = clients.map((client, index) =>
    client.listenEvents(
      (event) => {
        const payload = event.event;
        if (payload?.$case === 'snapshot') snapshots.push(index);
        if (payload?.$case !== 'settings' || payload.value.allowLan !== expected || seen[index]) return;
        seen[index] = true;
        lastArrival = performance.now();
        if (--waiting === 0) roundDone?.();
      },
      (error) => snapshots.end(error ?? new Error('a fan-out subscriber was closed')),
    ),
  );
  try {
    for (let i = 0; i < subscribers; i++)
      await snapshots.shift(20_000, `fan-out subscriber ${i + 1}'s snapshot`);
    const ms: number[] = [];
    for (let round = 0; round <= changes; round++) {
      expected = !expected;
      seen.fill(false);
      waiting = subscribers;
      const done = new Promise<void>((resolve, reject) => {
        roundDone = resolve;
        setTimeout(
          () =>
            reject(
              new Error(
                `${waiting} of ${subscribers} subscribers did not see the change in ${FAN_OUT_TIMEOUT_MS} ms`,
              ),
            ),
          FAN_OUT_TIMEOUT_MS,
        ).unref();
      });
      const started = performance.now();
      await Promise.all([change(control, expected), done]);
      if (round > 0) ms.push(lastArrival - started); // the first round is untimed
      await delay(50); // the helper's follow-up work (a new firewall policy) out of the next round
    }
    return ms;
  } finally {
    for (const stream of streams) stream.cancel();
    for (const client of clients) client.close();
  }
}

/** The whole sequence on a helper of its own (started, restarted and stopped here). */
export async function measureHelperFootprint(
  lab: Lab,
  relay: LabRelay,
  connectedMinutes: number,
  log: Log,
  signal: AbortSignal,
): Promise<HelperFootprintRuns> {
  // What users run: the bundle, not the workspace's modules (loading those costs more memory).
  const main = shippedHelper();
  log(`sluiced footprint: ${main}; importing ${RELAY_FIXTURE.pathname} and ${relay.hostname}`);
  const first = await startSluice(lab, 'memory', main);
  let relayCount: number;
  try {
    relayCount = await importFixtureAndLabRelay(first, relay);
  } finally {
    await first.stop();
  }
  const helper = await startSluice(lab, 'memory', main);
  let wasConnected = false;
  try {
    const pid = findHelperPid(helper.socket);
    await delay(HELPER_SETTLE_MS, undefined, { signal });
    const idle = readMemory(pid, true);
    log(`sluiced footprint: idle with ${relayCount} relays: RSS ${(idle.rssKb / 1024).toFixed(1)} MiB`);

    const connected = await connectSluice(helper);
    wasConnected = true;
    const listener = await openStatsListener(helper.client);
    let samples: RssSample[];
    let last: HelperMemory;
    try {
      log(`sluiced footprint: connected via ${connected.relay}, a stats listener, ${connectedMinutes} min`);
      samples = await sampleRss(pid, connectedMinutes, log, signal);
      last = readMemory(pid, true);
      if (listener.statsSeen() === 0) throw new Error('the stats listener received no TunnelStats');
    } finally {
      listener.cancel();
    }

    const ticksPerSecond = await clockTicksPerSecond();
    await delay(2_000, undefined, { signal }); // the listener's goodbye out of the window
    const cpuStart: ProcessUsage = readProcessUsage(pid);
    log(`sluiced footprint: CPU idle for ${CPU_IDLE_SECONDS} s, connected, no listener`);
    await delay(CPU_IDLE_SECONDS * 1000, undefined, { signal });
    const cpuEnd = readProcessUsage(pid);

    log(`sluiced footprint: event fan-out to ${FAN_OUT_SUBSCRIBERS} subscribers, ${FAN_OUT_CHANGES} changes`);
    const { settings } = await helper.client.settings.getSettings({});
    const fanOutMs = await timeFanOut(
      helper.socket,
      FAN_OUT_SUBSCRIBERS,
      FAN_OUT_CHANGES,
      (client, allow) => client.settings.setAllowLan({ allow }),
      helper.client,
      settings?.allowLan ?? false,
    );
    return {
      helper: relative(new URL('../../../', import.meta.url).pathname, main),
      relayCount,
      idle,
      connected: { minutes: connectedMinutes, relay: connected.relay, samples, last },
      cpuIdle: {
        seconds: Math.round((cpuEnd.at - cpuStart.at) / 100) / 10,
        cpuTicks: cpuEnd.cpuTicks - cpuStart.cpuTicks,
        ticksPerSecond,
      },
      fanOut: { subscribers: FAN_OUT_SUBSCRIBERS, ms: fanOutMs },
    };
  } finally {
    // Disconnected first: a helper stopped while the tunnel is wanted keeps its kill switch in the
    // client (as it should), and the bench's next phases need the direct path.
    if (wasConnected)
      await disconnectSluice(lab, helper).catch((error: unknown) =>
        log(`sluiced footprint: the disconnect at the end failed: ${String(error)}`),
      );
    await helper.stop();
  }
}
