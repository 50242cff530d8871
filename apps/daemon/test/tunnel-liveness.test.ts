import { describe, expect, it } from 'vitest';
import { LivenessTracker } from '../src/tunnel/connectivity/liveness.js';

describe('liveness', () => {
  it('is alive while rx grows, probes when it stalls, dead when probes go unanswered', () => {
    const tracker = new LivenessTracker({ stallMs: 1500, deadMs: 4500, maxHandshakeAgeMs: 195_000 });
    expect(tracker.observe({ atMs: 0, rxBytes: 100 }).kind).toBe('alive');
    expect(tracker.observe({ atMs: 1000, rxBytes: 200 }).kind).toBe('alive');
    expect(tracker.observe({ atMs: 2000, rxBytes: 200 }).kind).toBe('alive');
    expect(tracker.observe({ atMs: 2600, rxBytes: 200 }).kind).toBe('probe');
    // The probe was answered: rx grew, all is well again.
    expect(tracker.observe({ atMs: 3000, rxBytes: 292 }).kind).toBe('alive');
    expect(tracker.observe({ atMs: 5000, rxBytes: 292 }).kind).toBe('probe');
    expect(tracker.observe({ atMs: 7000, rxBytes: 292 }).kind).toBe('probe');
    expect(tracker.observe({ atMs: 7600, rxBytes: 292 })).toEqual({
      kind: 'dead',
      reason: 'the relay has not answered for 4.6 s',
    });
  });

  it('an expired handshake is dead whatever the counters say', () => {
    const tracker = new LivenessTracker();
    expect(tracker.observe({ atMs: 0, rxBytes: 1, handshakeAgeMs: 10_000 }).kind).toBe('alive');
    expect(tracker.observe({ atMs: 1000, rxBytes: 2, handshakeAgeMs: 200_000 })).toEqual({
      kind: 'dead',
      reason: 'no handshake for 200 s',
    });
  });

  it('a counter reset (device restarted) counts as life, not as a stall', () => {
    const tracker = new LivenessTracker({ stallMs: 1500, deadMs: 4500, maxHandshakeAgeMs: 195_000 });
    tracker.observe({ atMs: 0, rxBytes: 5000 });
    expect(tracker.observe({ atMs: 1400, rxBytes: 0 }).kind).toBe('alive');
    expect(tracker.observe({ atMs: 2000, rxBytes: 0 }).kind).toBe('alive');
  });
});
