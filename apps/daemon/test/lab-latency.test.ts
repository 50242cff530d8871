// Relay latency for real: sluiced in a lab client pings the lab's relays (marked, outside the tunnel)
// with the kill switch off, connected and blocked, and the kill switch's probe rule counts each one.
// Root only (network namespaces); skipped with a message otherwise.
import { relayLatencyFromPb, type RelayLatency } from '@sluice/api';
import { Lab } from '@sluice/netlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCountersJson } from '../src/net/firewall-readback.js';
import { TUNNEL_FWMARK } from '../src/net/routing.js';
import { importLabRelays, isRoot, startLabHelper, waitForState, type LabHelper } from './lab-support.js';
import { until } from './support.js';

if (!isRoot) console.warn('lab-latency: skipped, the lab needs root (network namespaces)');

describe.skipIf(!isRoot)('relay latency in the lab', () => {
  let lab: Lab;
  let helper: LabHelper;

  beforeAll(async () => {
    lab = await Lab.up({ relays: 4 });
    helper = await startLabHelper(lab);
    await importLabRelays(lab, helper.client);
  }, 60_000);

  afterAll(async () => {
    const started = helper as LabHelper | undefined;
    if (started) {
      await started.client.settings.setLockdownMode({ enabled: false }).catch(() => undefined);
      expect(await started.stop()).toBe(0);
    }
    await (lab as Lab | undefined)?.down();
  }, 60_000);

  const measure = async (hostnames: string[]): Promise<RelayLatency[]> =>
    (await helper.client.measureLatency({ hostnames })).map(relayLatencyFromPb);

  /** Packets counted by the kill switch's probe rules, or undefined when there is no table. */
  const probeCounts = async (): Promise<{ out: number; in: number } | undefined> => {
    const listed = await lab.exec('client', ['nft', '-j', 'list', 'counters', 'table', 'inet', 'sluice'], {
      allowFailure: true,
    });
    if (listed.code !== 0) return undefined;
    const counts = parseCountersJson(listed.stdout);
    return { out: counts.get('latency-probe-out') ?? 0, in: counts.get('latency-probe-in') ?? 0 };
  };

  /** Measure one relay not measured before (so it is probed, not cached); it must answer. */
  const measureFresh = async (index: number, state: string): Promise<void> => {
    const relay = lab.relays[index];
    if (!relay) throw new Error(`the lab has no relay ${index}`);
    const before = await probeCounts();
    const [result] = await measure([relay.hostname]);
    expect(result, `${state}: ${relay.hostname}`).toMatchObject({
      hostname: relay.hostname,
      kind: 'measured',
    });
    if (result?.kind === 'measured') {
      expect(result.rttMs).toBeGreaterThan(0);
      expect(result.rttMs).toBeLessThan(1000);
    }
    const after = await probeCounts();
    if (before && after) {
      // Exactly the one echo request out through the probe rule, and its reply in.
      expect(after.out - before.out, `${state}: probes out`).toBe(1);
      expect(after.in - before.in, `${state}: replies in`).toBe(1);
    }
  };

  it('connected, with the kill switch on: the probes leave outside the tunnel and their replies come back', async () => {
    await helper.client.tunnel.connect({});
    await waitForState(helper.client, 'connected');
    expect(await probeCounts()).toBeDefined();
    // Policy routing sends the probes' mark by the main table, the rest into the tunnel.
    const target = lab.relays[0]?.address.v4 ?? '';
    const route = async (...mark: string[]): Promise<string> =>
      (await lab.exec('client', ['ip', '-4', 'route', 'get', target, ...mark])).stdout;
    expect(await route('mark', String(TUNNEL_FWMARK))).not.toContain(`dev ${helper.interfaceName}`);
    expect(await route()).toContain(`dev ${helper.interfaceName}`);
    await measureFresh(0, 'connected');
  });

  it('blocked (lockdown, disconnected): the probes still get answers, nothing else leaves', async () => {
    await helper.client.settings.setLockdownMode({ enabled: true });
    await helper.client.tunnel.disconnect({});
    await waitForState(helper.client, 'disconnected');
    await until(async () => (await probeCounts()) !== undefined, 'the blocking table');
    await measureFresh(1, 'blocked');
    // An unmarked ping from the client (any program's) is still refused.
    const plain = await lab.exec(
      'client',
      ['ping', '-4', '-n', '-q', '-c', '1', '-W', '1', lab.relays[2]?.address.v4 ?? ''],
      {
        allowFailure: true,
      },
    );
    expect(plain.code).not.toBe(0);
  });

  it('with no kill switch: every relay of the list answers, each once (the ones measured above from the cache)', async () => {
    await helper.client.settings.setLockdownMode({ enabled: false });
    await until(async () => (await probeCounts()) === undefined, 'the table to go');
    const results = await measure([]);
    expect(results.map((r) => r.hostname).sort()).toEqual(lab.relays.map((r) => r.hostname).sort());
    for (const result of results) expect(result.kind, result.hostname).toBe('measured');
  });
});
