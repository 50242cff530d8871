import { describe, expect, it } from 'vitest';
import { pb } from '@sluice/api';
import { describeLocation } from '@sluice/api/domain';
import { locationWords, splitTunnelWords, statusJson, statusText } from '../src/format.js';

const relay = {
  hostname: 'se-got-wg-001',
  country: 'Sweden',
  city: 'Gothenburg',
  endpoint: '192.0.2.10:51820',
  publicKey: 'k',
};

describe('status JSON (DESIGN.md contract)', () => {
  it('connected carries relay and tunnel', () => {
    const state: pb.TunnelState = {
      state: {
        $case: 'connected',
        value: {
          relay,
          tunnel: {
            interface: 'wg-sluice',
            mtu: 1380,
            addresses: [],
            stats: { rxBytes: 2048, txBytes: 1024, lastHandshakeAgeMs: 3000 },
          },
        },
      },
      lockedDown: true,
      reason: '',
      bypassRanges: [],
    };
    expect(statusJson(state)).toEqual({
      state: 'connected',
      lockedDown: true,
      relay: {
        hostname: 'se-got-wg-001',
        country: 'Sweden',
        city: 'Gothenburg',
        endpoint: '192.0.2.10:51820',
      },
      tunnel: { interface: 'wg-sluice', mtu: 1380, rxBytes: 2048, txBytes: 1024, lastHandshakeAgeMs: 3000 },
    });
    expect(statusText(state)).toContain('Connected to se-got-wg-001 (Gothenburg, Sweden)');
    expect(statusText(state)).toContain('2.0 KiB in, 1.0 KiB out');
    // Connected with lockdown off: the kill switch blocks, not lockdown mode.
    expect(statusText(state)).toContain('Traffic outside the tunnel is blocked (kill switch).');
    expect(statusText(state)).not.toContain('lockdown');
  });

  it('says which bypass ranges go outside the tunnel while they are in force, in text and JSON', () => {
    const state: pb.TunnelState = {
      state: { $case: 'disconnected', value: {} },
      lockedDown: true,
      reason: '',
      bypassRanges: ['100.64.0.0/10', 'fd7a:115c:a1e0::/48'],
    };
    expect(statusText(state)).toContain(
      'Bypass ranges outside the tunnel: 100.64.0.0/10, fd7a:115c:a1e0::/48',
    );
    expect(statusJson(state).bypassRanges).toEqual(['100.64.0.0/10', 'fd7a:115c:a1e0::/48']);
    // None in force: no line, and the documented JSON has no such key.
    const none = { ...state, bypassRanges: [] };
    expect(statusText(none)).not.toContain('Bypass');
    expect(Object.keys(statusJson(none))).toEqual(['state', 'lockedDown']);
  });

  it('names why traffic is blocked: lockdown only when disconnected, nothing when it is not', () => {
    const at = (value: pb.TunnelState['state'], lockedDown: boolean): string =>
      statusText({ state: value, lockedDown, reason: '', bypassRanges: [] });
    expect(at({ $case: 'disconnected', value: {} }, true)).toContain('blocked (lockdown mode)');
    expect(at({ $case: 'disconnected', value: {} }, false)).not.toContain('blocked');
    expect(at({ $case: 'connecting', value: { attempt: 1 } }, true)).toContain(
      'until it is up (kill switch)',
    );
    expect(at({ $case: 'connected', value: { relay } }, false)).not.toContain('blocked');
  });

  it('error carries cause, message and blocking', () => {
    const state: pb.TunnelState = {
      state: {
        $case: 'error',
        value: { cause: pb.ErrorState_Cause.CAUSE_NO_RELAY, message: 'no relay matches se', blocking: true },
      },
      lockedDown: true,
      reason: '',
      bypassRanges: [],
    };
    expect(statusJson(state)).toEqual({
      state: 'error',
      lockedDown: true,
      error: { cause: 'no-relay', message: 'no relay matches se', blocking: true },
    });
    expect(statusText(state)).toContain('All traffic is blocked');
  });

  it('a handshake that never happened is null', () => {
    const state: pb.TunnelState = {
      state: {
        $case: 'connected',
        value: {
          relay,
          tunnel: { interface: 'wg0', mtu: 1420, addresses: [], stats: { rxBytes: 0, txBytes: 0 } },
        },
      },
      lockedDown: false,
      reason: '',
      bypassRanges: [],
    };
    expect(statusJson(state).tunnel?.lastHandshakeAgeMs).toBeNull();
  });

  it('connecting and disconnecting', () => {
    expect(
      statusJson({
        state: { $case: 'connecting', value: { relay, attempt: 2 } },
        lockedDown: false,
        reason: '',
        bypassRanges: [],
      }),
    ).toEqual({
      state: 'connecting',
      lockedDown: false,
      relay: {
        hostname: 'se-got-wg-001',
        country: 'Sweden',
        city: 'Gothenburg',
        endpoint: '192.0.2.10:51820',
      },
    });
    expect(
      statusJson({
        state: { $case: 'disconnecting', value: { after: pb.Disconnecting_After.AFTER_NOTHING } },
        lockedDown: false,
        reason: '',
        bypassRanges: [],
      }).state,
    ).toBe('disconnecting');
  });
});

describe('split tunnelling in status', () => {
  it('says what is outside the tunnel while it is on, why not when unavailable, and nothing when off', () => {
    const state = {
      enabled: true,
      pids: [10, 11],
      apps: ['/usr/bin/env'],
      mechanism: 'cgroup2',
      detail: 'hybrid',
      processes: [],
    };
    expect(splitTunnelWords(state)).toBe(
      'Split tunnelling (cgroup2): 2 processes and 1 program outside the tunnel',
    );
    expect(splitTunnelWords({ ...state, mechanism: 'unavailable', detail: 'no cgroups' })).toBe(
      'Split tunnelling is on but unavailable here: no cgroups',
    );
    expect(splitTunnelWords({ ...state, enabled: false })).toBeUndefined();
  });
});

describe('relay location words', () => {
  it("are the domain's describeLocation, which the CLI cannot import without zod", () => {
    for (const location of [
      {},
      { country: 'se' },
      { country: 'se', city: 'got' },
      { country: 'se', city: 'got', hostname: 'se-got-wg-001' },
      { country: '', city: 'got' },
    ]) {
      expect(locationWords(location)).toBe(describeLocation(location));
    }
  });
});
