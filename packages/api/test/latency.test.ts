import { describe, expect, it } from 'vitest';
import {
  fastestRelay,
  latencyText,
  relayLatencyFromPb,
  relayLatencyToPb,
  type RelayLatency,
} from '../src/domain/index.js';
import { RelayLatency as PbRelayLatency } from '../src/gen/sluice/v1/relays.js';

const at = new Date(Date.UTC(2025, 0, 1, 12));
const measured: RelayLatency = { hostname: 'se-got-wg-001', kind: 'measured', rttMs: 0.25, measuredAt: at };
const unknown: RelayLatency = {
  hostname: 'se-got-wg-002',
  kind: 'unknown',
  reason: 'no reply within 1000 ms',
  measuredAt: at,
};

const throughBytes = (latency: RelayLatency): RelayLatency =>
  relayLatencyFromPb(PbRelayLatency.decode(PbRelayLatency.encode(relayLatencyToPb(latency)).finish()));

describe('relay latency wire conversion', () => {
  it('round-trips a time (0 included) and an unknown through protobuf bytes', () => {
    expect(throughBytes(measured)).toEqual(measured);
    expect(throughBytes({ ...measured, rttMs: 0 })).toEqual({ ...measured, rttMs: 0 });
    expect(throughBytes(unknown)).toEqual(unknown);
    const notProbed: RelayLatency = { hostname: 'x-1', kind: 'unknown', reason: 'not in the relay list' };
    expect(throughBytes(notProbed)).toEqual(notProbed);
  });

  it('an unknown time is unset on the wire, never a number', () => {
    const wire = relayLatencyToPb(unknown);
    expect(wire.rttMs).toBeUndefined();
    expect(PbRelayLatency.decode(PbRelayLatency.encode(wire).finish()).rttMs).toBeUndefined();
  });

  it('a time that cannot be one is unknown on the way in, with a reason', () => {
    for (const rttMs of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      const latency = relayLatencyFromPb({ hostname: 'a-1', rttMs, unknownReason: '', measuredAt: at });
      expect(latency.kind).toBe('unknown');
      expect(latency.kind === 'unknown' && latency.reason).toMatch(/unusable time/);
    }
    expect(relayLatencyFromPb({ hostname: 'a-1', unknownReason: '' })).toEqual({
      hostname: 'a-1',
      kind: 'unknown',
      reason: 'not measured',
    });
  });

  it('text and the fastest relay use only measured times', () => {
    expect(latencyText(measured)).toBe('0.3 ms');
    expect(latencyText({ ...measured, rttMs: 42.4 })).toBe('42 ms');
    expect(latencyText(unknown)).toBe('unknown');
    expect(fastestRelay([unknown, { ...measured, hostname: 'b-1', rttMs: 30 }, measured])).toBe(
      'se-got-wg-001',
    );
    expect(fastestRelay([unknown])).toBeUndefined();
  });
});
