// MeasureLatency over the helper's socket, on a fake prober: every relay answered once, unknown ones
// with a reason and no time, bounded input refused naming the field, and a client that goes away
// stops the probes.
import { pb, relayLatencyFromPb, type RelayLatency } from '@sluice/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatencyProber } from '../src/relays/latency-meter.js';
import type { ProbeResult } from '../src/relays/latency.js';
import { makeTempDir, startTestDaemon, until, type TestDaemon } from './support.js';

const key = (seed: number): string => Buffer.alloc(32, seed).toString('base64');

/** Answers at once from a table; an address marked "hang" is answered only when aborted (rejects). */
class TableProber implements LatencyProber {
  readonly launched: string[] = [];
  readonly aborted: string[] = [];
  constructor(readonly answers: Map<string, ProbeResult | 'hang'>) {}
  probe(address: string, signal: AbortSignal): Promise<ProbeResult> {
    this.launched.push(address);
    const answer = this.answers.get(address) ?? { reason: 'no reply within 1000 ms' };
    if (answer !== 'hang') return Promise.resolve(answer);
    return new Promise((_, reject) =>
      signal.addEventListener('abort', () => {
        this.aborted.push(address);
        reject(new Error('aborted'));
      }),
    );
  }
}

const relays = [
  { hostname: 'se-got-wg-001', ipv4AddrIn: '198.51.100.1', publicKey: key(1) },
  { hostname: 'se-got-wg-002', ipv4AddrIn: '198.51.100.2', publicKey: key(2) },
  { hostname: 'se-got-wg-003', ipv6AddrIn: '2001:db8::3', publicKey: key(3) },
  { hostname: 'se-got-wg-004', ipv4AddrIn: '198.51.100.4', publicKey: key(4), active: false },
  { hostname: 'se-got-wg-005', ipv4AddrIn: '198.51.100.5', publicKey: key(5) },
];

describe('MeasureLatency', () => {
  let cleanup: () => Promise<void>;
  let helper: TestDaemon;
  const prober = new TableProber(
    new Map<string, ProbeResult | 'hang'>([
      ['198.51.100.1', { rttMs: 21.5 }],
      ['198.51.100.2', { reason: 'no reply within 1000 ms' }],
      ['198.51.100.4', { rttMs: 3 }],
      ['198.51.100.5', 'hang'],
    ]),
  );

  beforeAll(async () => {
    const temp = await makeTempDir();
    cleanup = () => temp.cleanup();
    helper = await startTestDaemon(temp.dir, { latencyProber: prober });
    const list = { countries: [{ code: 'se', cities: [{ code: 'got', relays }] }] };
    await helper.client.relays.importRelays({
      files: [
        {
          name: 'relays.json',
          content: JSON.stringify(list),
          format: pb.ImportFile_Format.FORMAT_SLUICE_JSON,
        },
      ],
      replace: true,
    });
  });

  afterAll(async () => {
    await helper.stop();
    await cleanup();
  });

  const measure = async (hostnames: string[], signal?: AbortSignal): Promise<RelayLatency[]> =>
    (await helper.client.measureLatency({ hostnames }, undefined, signal)).map(relayLatencyFromPb);

  it('named relays: one result each, as measured; unknown ones carry a reason and no time', async () => {
    const results = await measure([
      'se-got-wg-001',
      'se-got-wg-002',
      'se-got-wg-003',
      'se-got-wg-004',
      'xx-1',
    ]);
    const by = new Map(results.map((r) => [r.hostname, r]));
    expect(results).toHaveLength(5);
    expect(by.get('se-got-wg-001')).toMatchObject({ kind: 'measured', rttMs: 21.5 });
    // Named explicitly, an inactive relay is measured too.
    expect(by.get('se-got-wg-004')).toMatchObject({ kind: 'measured', rttMs: 3 });
    expect(by.get('se-got-wg-002')).toMatchObject({ kind: 'unknown', reason: 'no reply within 1000 ms' });
    expect(by.get('se-got-wg-003')).toEqual({
      hostname: 'se-got-wg-003',
      kind: 'unknown',
      reason: 'the relay has no IPv4 endpoint to probe',
    });
    expect(by.get('xx-1')).toEqual({ hostname: 'xx-1', kind: 'unknown', reason: 'not in the relay list' });
    // On the wire an unknown time is unset, never 0.
    const raw = await helper.client.measureLatency({ hostnames: ['se-got-wg-002'] });
    expect(raw[0]?.rttMs).toBeUndefined();
    expect(raw[0]?.unknownReason).toBe('no reply within 1000 ms');
  });

  it('asking again within the cache time sends no new probes', async () => {
    const before = prober.launched.length;
    await measure(['se-got-wg-001', 'se-got-wg-002']);
    expect(prober.launched.length).toBe(before);
  });

  it('refuses too many names and names that are not relay hostnames, naming the field', async () => {
    const tooMany = measure(Array.from({ length: 10_001 }, (_, i) => `r-${i}`));
    await expect(tooMany).rejects.toMatchObject({ kind: 'invalid-argument' });
    await expect(tooMany).rejects.toThrow(/hostnames: 10001 given; at most 10000 are accepted/);
    const bad = measure(['se-got-wg-001', 'x'.repeat(300)]);
    await expect(bad).rejects.toMatchObject({ kind: 'invalid-argument' });
    await expect(bad).rejects.toThrow(/hostnames\[1\]: "x{48}…" is not a relay hostname/);
  });

  it('a client that goes away stops the probe it was waiting for', async () => {
    const gone = new AbortController();
    const call = measure(['se-got-wg-005'], gone.signal);
    await until(() => prober.launched.includes('198.51.100.5'), 'the probe to start');
    gone.abort();
    await expect(call).rejects.toMatchObject({ kind: 'cancelled' });
    await until(() => prober.aborted.includes('198.51.100.5'), 'the probe to be killed');
  });
});
